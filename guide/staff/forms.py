"""Staff forms. One place's page is one form: a sub-form per plant, prefixed with its id."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, IntegerField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from guide.core.bloom import BloomStage
from guide.staff.models import USERNAME_MAX

NOTE_MAX = 500


def _typed_name(value: str | None) -> str:
    """A username as typed on any keyboard: trimmed, composed (NFC), no control characters."""
    return "".join(c for c in unicodedata.normalize("NFC", value or "").strip() if unicodedata.category(c) != "Cc")


class LoginForm(FlaskForm):
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
            Length(max=200, message=_l("A password has at most %(max)d characters.", max=200)),
        ],
    )
    next = HiddenField()


class CsrfOnlyForm(FlaskForm):
    """For buttons that only need the CSRF token: logout, retract, the place form's envelope."""


def _version(value) -> int:
    """The id of the newest report a form was built on; anything odd counts as none seen."""
    return int(value) if str(value or "").isdigit() else 0


class ConfirmForm(FlaskForm):
    version = HiddenField(filters=[_version])


def _stage_choices():
    return [("", _l("No change"))] + [(stage.value, stage.title) for stage in BloomStage]


class PlantReportForm(Form):
    """What one plant looks like this morning. Left untouched, it reports nothing."""

    # No Optional() here: it would stop the chain before validate_stage can ask for a stage.
    stage = RadioField(_l("Stage"), choices=_stage_choices, default="")
    percent_open = IntegerField(
        _l("Flowers open, in %"),
        validators=[Optional(), NumberRange(0, 100, message=_l("Enter a number from 0 to 100."))],
    )
    note_zh = TextAreaField(
        _l("Note in Chinese"),
        validators=[Length(max=NOTE_MAX, message=_l("At most %(max)d characters.", max=NOTE_MAX))],
    )
    note_en = TextAreaField(
        _l("Note in English"),
        validators=[Length(max=NOTE_MAX, message=_l("At most %(max)d characters.", max=NOTE_MAX))],
    )
    photo_ref = HiddenField()  # a photo already received, kept while the form comes back
    version = HiddenField(filters=[_version])

    def __init__(self, *args, has_photo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_photo = has_photo

    @property
    def chosen_stage(self) -> BloomStage | None:
        return BloomStage(self.stage.data) if self.stage.data else None

    @property
    def touched(self) -> bool:
        """Whether the person filled in anything for this plant."""
        return bool(
            self.stage.data
            or (self.percent_open.raw_data and self.percent_open.raw_data[0])
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
        if stage is not None and not stage.fits(field.data):
            low, high = stage.percent_range
            raise ValidationError(
                _l(
                    "%(pct)s%% open does not fit “%(stage)s” (%(low)s–%(high)s%%).",
                    pct=field.data,
                    stage=stage.title,
                    low=low,
                    high=high,
                )
            )

    def note(self) -> dict[str, str] | None:
        note = {
            lang: text.strip()
            for lang, text in (("zh", self.note_zh.data), ("en", self.note_en.data))
            if text and text.strip()
        }
        return note or None
