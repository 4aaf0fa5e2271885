"""Staff forms. One place's page is one form: a sub-form per plant, prefixed with its id.

Whatever a form is sent, it answers with a message in the page's language: our validators say
what to do, and the messages WTForms has built in ("Not a valid choice.") come from our catalog
(TRANSLATED), else from WTForms' own.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import (
    BooleanField,
    DateField,
    Form,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from guide.core import clock
from guide.core.bloom import BloomStage
from guide.core.crowds import Crowd
from guide.core.i18n import format_day
from guide.core.scales import Scale
from guide.core.text import clean_text, clean_texts
from guide.places.notices import KIND_TITLES
from guide.staff.models import USERNAME_MAX, new_submission_key

NOTE_MAX = 500
PASSWORD_MAX = 200

# WTForms' own messages, here so that `make messages` puts them in our catalog, worded as ours.
TRANSLATED = (
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("This field is required."),
    _l("Invalid input."),
)


class _Translations:
    """WTForms' messages in the page's language: ours, else WTForms' own catalog."""

    def gettext(self, string: str) -> str:
        ours = get_translations().ugettext(string)
        return ours if ours != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = get_translations().ungettext(singular, plural, n)
        return ours if ours not in (singular, plural) else wtforms_translations.ngettext(singular, plural, n)


class _Localized:
    def get_translations(self, form):
        return _Translations()


class GuideForm(FlaskForm):
    """A form with the CSRF token, whose every message is in the page's language."""

    class Meta(_Localized):
        pass


def _typed_name(value: str | None) -> str:
    """A username as typed on any keyboard: trimmed, composed (NFC), no control characters."""
    return "".join(c for c in unicodedata.normalize("NFC", value or "").strip() if unicodedata.category(c) != "Cc")


def _text(value: str | None) -> str:
    return clean_text(value or "")


class LoginForm(GuideForm):
    username = StringField(
        _l("Username"),
        filters=[_typed_name],
        validators=[
            DataRequired(message=_l("Enter your username.")),
            Length(max=USERNAME_MAX, message=_l("A username has at most %(max)d characters.", max=USERNAME_MAX)),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("A password has at most %(max)d characters.", max=PASSWORD_MAX)),
        ],
    )
    next = HiddenField()


class CsrfOnlyForm(GuideForm):
    """For buttons that only need the CSRF token: logout, retract."""


def _submission(value: str | None) -> str:
    """The key a form was sent with: a fresh one when it had none we could use."""
    return value if value and re.fullmatch(r"[A-Za-z0-9_-]{20,64}", value) else new_submission_key()


class EnvelopeForm(GuideForm):
    """The place form's own fields: the CSRF token, and the key that makes sending it twice
    file it once. Shown again after a mistake or a conflict, it keeps its key (nothing was
    filed under it)."""

    submission = HiddenField(default=new_submission_key, filters=[_submission])


def _version(value) -> int:
    """The id of the newest report a form was built on; anything odd counts as none seen."""
    text = str(value or "")
    # isdigit() alone takes "²" and "٣", which int() refuses or reads otherwise.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else 0


def _photo_ref(value: str | None) -> str:
    """The hash of a photo already received: anything else is no photo."""
    return value if value and re.fullmatch(r"[0-9a-f]{64}", value) else ""


class CrowdForm(GuideForm):
    """How busy the place is now: one tap, filed once however often it is sent."""

    level = RadioField(
        _l("How busy is it now?"),
        choices=lambda: [(c.value, c.title) for c in Crowd],
        validators=[InputRequired(message=_l("Choose how busy it is."))],
    )
    submission = HiddenField(default=new_submission_key, filters=[_submission])

    @property
    def crowd(self) -> Crowd | None:
        return Crowd(self.level.data) if self.level.data in {c.value for c in Crowd} else None


class ConfirmForm(GuideForm):
    version = HiddenField(filters=[_version])
    submission = HiddenField(filters=[_submission])


def _stage_choices(scale: Scale = Scale.FLOWERS) -> list[tuple[str, Any]]:
    return [("", _l("No change"))] + [(shown.value, shown.title) for shown in scale.stages]


class PercentField(IntegerField):
    """A whole number from 0 to 100, as phones type it ("85", "85%", full-width "８５")."""

    def process_formdata(self, valuelist):
        text = unicodedata.normalize("NFKC", valuelist[0] if valuelist else "").strip().removesuffix("%").strip()
        self.data = None
        if not text:
            return
        if not (text.isascii() and text.isdigit() and len(text) <= 3 and int(text) <= 100):
            raise ValueError(_l("Enter a number from 0 to 100."))
        self.data = int(text)


class PlantReportForm(Form):
    """What one plant looks like this morning. Left untouched, it reports nothing."""

    class Meta(_Localized):
        pass

    # No Optional() here: it would stop the chain before validate_stage can ask for a stage.
    stage = RadioField(_l("Stage"), choices=_stage_choices, default="")
    percent_open = PercentField(_l("Flowers open, in %"), validators=[Optional()])
    note_zh = TextAreaField(
        _l("Note in Chinese"),
        filters=[_text],
        validators=[Length(max=NOTE_MAX, message=_l("At most %(max)d characters.", max=NOTE_MAX))],
    )
    note_en = TextAreaField(
        _l("Note in English"),
        filters=[_text],
        validators=[Length(max=NOTE_MAX, message=_l("At most %(max)d characters.", max=NOTE_MAX))],
    )
    photo_ref = HiddenField(filters=[_photo_ref])  # a photo already received, kept while the form comes back
    version = HiddenField(filters=[_version])

    def __init__(self, *args, scale: Scale = Scale.FLOWERS, has_photo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale, self.has_photo = scale, has_photo
        # The plant's own words: a ginkgo's stages are its leaves', its share is of leaves coloured.
        self.stage.choices = _stage_choices(scale)
        self.percent_open.label.text = scale.share_label

    @property
    def chosen_stage(self) -> BloomStage | None:
        """The stage chosen, or None (none chosen, or one we do not know: its field says so)."""
        try:
            return BloomStage(self.stage.data) if self.stage.data else None
        except ValueError:
            return None

    @property
    def touched(self) -> bool:
        """Whether the person filled in anything for this plant."""
        return bool(
            self.stage.data
            or (self.percent_open.raw_data and self.percent_open.raw_data[0].strip())
            or (self.note_zh.data or "").strip()
            or (self.note_en.data or "").strip()
            or self.has_photo
            or self.photo_ref.data
        )

    def validate_stage(self, field):
        if not field.data and self.touched:
            raise ValidationError(_l("Choose a stage for this report."))

    def validate_percent_open(self, field):
        stage = self.chosen_stage
        if stage is not None and field.data is not None and not stage.fits(field.data):
            shown = self.scale.of(stage)
            low, high = stage.percent_range
            raise ValidationError(
                _l(
                    "%(share)s does not fit “%(stage)s” (%(low)s–%(high)s%%).",
                    share=shown.amount(field.data),
                    stage=shown.title,
                    low=low,
                    high=high,
                )
            )

    def note(self) -> dict[str, str] | None:
        return clean_texts({"zh": self.note_zh.data or "", "en": self.note_en.data or ""}) or None


NOTICE_MAX = 300


def sensible_date(form, field) -> None:
    """A day staff may store (core.clock.sensible_dates): a far one is a typing slip."""
    if field.data is None:
        return
    first, last = clock.sensible_dates(clock.today())
    if not first <= field.data <= last:
        raise ValidationError(
            _l(
                "Choose a day from %(first)s to %(last)s.",
                first=format_day(first, with_year=True),
                last=format_day(last, with_year=True),
            )
        )


def notice_kinds() -> list[tuple[str, Any]]:
    return list(KIND_TITLES.items())


class NoticeForm(FlaskForm):
    """A notice for visitors, written in Chinese, English or both."""

    kind = RadioField(_l("What kind of notice"), choices=notice_kinds, default="other")
    text_zh = TextAreaField(
        _l("Notice in Chinese"),
        filters=[_text],
        validators=[Length(max=NOTICE_MAX, message=_l("At most %(max)d characters.", max=NOTICE_MAX))],
    )
    text_en = TextAreaField(
        _l("Notice in English"),
        filters=[_text],
        validators=[Length(max=NOTICE_MAX, message=_l("At most %(max)d characters.", max=NOTICE_MAX))],
    )
    starts_on = DateField(_l("From"), validators=[InputRequired(message=_l("Enter the first day.")), sensible_date])
    ends_on = DateField(_l("Until (optional; leave empty for until withdrawn)"), validators=[Optional(), sensible_date])
    # Sent twice (a double tap, a resend on a weak network), the same key files it once.
    submission = HiddenField(default=new_submission_key, filters=[_submission])

    def validate_text_en(self, field):
        if not (self.text_zh.data or "").strip() and not (field.data or "").strip():
            raise ValidationError(_l("Write the notice in Chinese, in English, or in both."))

    def validate_ends_on(self, field):
        if field.data is not None and self.starts_on.data is not None and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot come before the first."))

    def text(self) -> dict[str, str]:
        return clean_texts({"zh": self.text_zh.data or "", "en": self.text_en.data or ""})


class EditionForm(FlaskForm):
    """This year's dates of a festival, as announced; or cancelled."""

    start = DateField(_l("First day"), validators=[InputRequired(message=_l("Enter the first day.")), sensible_date])
    end = DateField(_l("Last day"), validators=[InputRequired(message=_l("Enter the last day.")), sensible_date])
    cancelled = BooleanField(_l("Cancelled this year"))
    source = StringField(
        _l("Where it was announced (a link or a name; optional)"),
        filters=[_text],
        validators=[Length(max=300, message=_l("At most %(max)d characters.", max=300))],
    )
    sequence = HiddenField(filters=[_version])

    def validate_end(self, field):
        if field.data is not None and self.start.data is not None and field.data < self.start.data:
            raise ValidationError(_l("The last day cannot come before the first."))
