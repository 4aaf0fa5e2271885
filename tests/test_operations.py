"""The operations, the one door for every write: who may, what is checked, and what is marked
changed for the page cache."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from guide.core import clock
from guide.core.bloom import BloomStage
from guide.extensions import db
from guide.places.models import BloomReport, Place, Plant
from guide.places.operations import mark_changed
from guide.places.queries import sightings_of
from guide.site import cache
from guide.staff import operations
from guide.staff.models import Staff
from guide.staff.operations import Conflict, NotAllowed, Observation


@pytest.fixture
def ctx(guide_app):
    with guide_app.app_context():
        yield


def plant(slug: str, key: str) -> Plant:
    return db.session.scalar(select(Plant).join(Place).where(Place.slug == slug, Plant.key == key))


def place(slug: str) -> Place:
    return db.session.scalar(select(Place).where(Place.slug == slug))


def staff(name: str, *slugs: str, admin: bool = False) -> Staff:
    return operations.add_staff(name, "a-long-password", [place(s) for s in slugs], admin, clock.now())


def revisions() -> dict[str, int]:
    return dict(db.session.execute(select(Place.slug, Place.revision)).tuples().all()) | {"site": cache.current()}


def test_a_report_is_filed_and_marks_only_its_place_changed(ctx):
    wang = staff("wang", "guyi-garden")
    before = revisions()
    [row] = operations.report_bloom(
        wang, [Observation(plant("guyi-garden", "peony"), BloomStage.PEAK, 80)], clock.now()
    )
    db.session.commit()
    after = revisions()
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"guyi-garden", "site"}
    assert (row.stage, row.percent_open, row.kind, row.staff) == ("peak", 80, "report", wang)


def test_a_report_on_another_park_is_not_allowed_and_writes_nothing(ctx):
    wang = staff("wang", "guyi-garden")
    with pytest.raises(NotAllowed):
        operations.report_bloom(
            wang,
            [
                Observation(plant("guyi-garden", "peony"), BloomStage.PEAK),
                Observation(plant("qiuxia-garden", plant_key("qiuxia-garden")), BloomStage.PEAK),
            ],
            clock.now(),
        )
    assert db.session.scalars(select(BloomReport)).all() == []


def plant_key(slug: str) -> str:
    return place(slug).plants[0].key


@pytest.mark.parametrize("stage, percent", [(BloomStage.PEAK, 69), (BloomStage.BUDDING, 5), (BloomStage.NOT_YET, 1)])
def test_a_percent_that_does_not_fit_the_stage_is_refused_by_the_operation_itself(ctx, stage, percent):
    boss = staff("boss", admin=True)
    with pytest.raises(ValueError, match=f"{percent}%"):
        operations.report_bloom(boss, [Observation(plant("guyi-garden", "peony"), stage, percent)], clock.now())
    assert db.session.scalars(select(BloomReport)).all() == []


def test_a_report_made_on_an_outdated_view_is_a_conflict_naming_the_newer_report(ctx):
    boss = staff("boss", admin=True)
    peony = plant("guyi-garden", "peony")
    [first] = operations.report_bloom(boss, [Observation(peony, BloomStage.BLOOMING)], clock.now())
    with pytest.raises(Conflict) as conflict:
        operations.report_bloom(boss, [Observation(peony, BloomStage.PEAK, seen_version=0)], clock.now())
    assert conflict.value.newer == {peony.id: first}
    [second] = operations.report_bloom(boss, [Observation(peony, BloomStage.PEAK, seen_version=first.id)], clock.now())
    assert second.stage == "peak"


def test_confirming_repeats_the_shown_status_and_refreshes_it(ctx):
    wang = staff("wang", "guyi-garden")
    peony = plant("guyi-garden", "peony")
    shown = sightings_of([peony], clock.now(), clock.today())[0].status
    row = operations.confirm_status(wang, peony, shown, 0, clock.now())
    assert (row.kind, row.stage) == ("confirm", shown.stage.value)
    other = staff("li", "qiuxia-garden")
    with pytest.raises(NotAllowed):
        operations.confirm_status(other, peony, shown, row.id, clock.now())


def test_only_an_admin_retracts_and_the_report_before_stands_again(ctx):
    boss, wang = staff("boss", admin=True), staff("wang", "guyi-garden")
    peony = plant("guyi-garden", "peony")
    [old] = operations.report_bloom(wang, [Observation(peony, BloomStage.BLOOMING)], clock.now() - timedelta(hours=1))
    [wrong] = operations.report_bloom(wang, [Observation(peony, BloomStage.OVER, seen_version=old.id)], clock.now())
    with pytest.raises(NotAllowed):
        operations.retract_report(wang, wrong, clock.now())
    assert wrong.retracted_at is None
    before = revisions()["guyi-garden"]
    operations.retract_report(boss, wrong, clock.now())
    assert wrong.retracted_by is boss and revisions()["guyi-garden"] == before + 1
    assert sightings_of([peony], clock.now(), clock.today())[0].status.stage is BloomStage.BLOOMING


def test_accounts_grant_revoke_and_password(ctx):
    wang = staff("wang", "guyi-garden")
    assert operations.grant(wang, place("qiuxia-garden")) and not operations.grant(wang, place("qiuxia-garden"))
    assert wang.can_report(place("qiuxia-garden"))
    assert operations.revoke(wang, place("guyi-garden")) and not operations.revoke(wang, place("guyi-garden"))
    assert not wang.can_report(place("guyi-garden"))
    operations.set_password(wang, "another-long-one")
    assert wang.check_password("another-long-one") and not wang.check_password("a-long-password")


def test_marking_no_place_marks_every_place(ctx):
    before = revisions()
    mark_changed()
    after = revisions()
    assert all(after[k] == before[k] + 1 for k in before)
