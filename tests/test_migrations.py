"""The schema comes from migrations/: they build this database, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from guide.extensions import db


def test_the_migrations_build_exactly_what_the_models_describe(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
    assert differences == [], "the models changed: run `flask --app guide db migrate -m '…'` and review it"


def test_the_migrations_go_down_and_up_again(app):
    with app.app_context():
        downgrade(revision="base")
        assert not inspect(db.engine).has_table("place")
        upgrade()
        assert inspect(db.engine).has_table("bloom_report")


def test_places_load_on_a_database_without_tables_says_what_to_do(tmp_path):
    from tests.conftest import PLACES_YAML, make_app

    app = make_app(tmp_path / "empty.sqlite")
    result = app.test_cli_runner().invoke(args=["places", "load", str(PLACES_YAML)])
    assert result.exit_code != 0 and "db upgrade" in result.output and "Traceback" not in result.output
