"""Staff forms. One place's page is one form: a sub-form per plant, prefixed with its id."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from guide.core.bloom import BloomStage
from guide.core.scales import Scale
from guide.places.notices import KIND_TITLES

NOTE_MAX = 500


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class CsrfOnlyForm(FlaskForm):
    """For buttons that only need the CSRF token: logout, retract, the place form's envelope."""


def _version(value) -> int:
    """The id of the newest report a form was built on; anything odd counts as none seen."""
    return int(value) if str(value or "").isdigit() else 0


class ConfirmForm(FlaskForm):
    version = HiddenField(filters=[_version])


def _stage_choices(scale: Scale = Scale.FLOWERS) -> list[tuple[str, Any]]:
    return [("", _l("No change"))] + [(shown.value, shown.title) for shown in scale.stages]


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

    def __init__(self, *args, scale: Scale = Scale.FLOWERS, has_photo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale, self.has_photo = scale, has_photo
        # The plant's own words: a ginkgo's stages are its leaves', its share is of leaves coloured.
        self.stage.choices = _stage_choices(scale)
        self.percent_open.label.text = scale.share_label

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
        note = {
            lang: text.strip()
            for lang, text in (("zh", self.note_zh.data), ("en", self.note_en.data))
            if text and text.strip()
        }
        return note or None


NOTICE_MAX = 300


def notice_kinds() -> list[tuple[str, Any]]:
    return list(KIND_TITLES.items())


class NoticeForm(FlaskForm):
    """A notice for visitors, written in Chinese, English or both."""

    kind = RadioField(_l("What kind of notice"), choices=notice_kinds, default="other")
    text_zh = TextAreaField(
        _l("Notice in Chinese"),
        validators=[Length(max=NOTICE_MAX, message=_l("At most %(max)d characters.", max=NOTICE_MAX))],
    )
    text_en = TextAreaField(
        _l("Notice in English"),
        validators=[Length(max=NOTICE_MAX, message=_l("At most %(max)d characters.", max=NOTICE_MAX))],
    )
    starts_on = DateField(_l("From"), validators=[InputRequired(message=_l("Enter the first day."))])
    ends_on = DateField(_l("Until (optional; leave empty for until withdrawn)"), validators=[Optional()])

    def validate_text_en(self, field):
        if not (self.text_zh.data or "").strip() and not (field.data or "").strip():
            raise ValidationError(_l("Write the notice in Chinese, in English, or in both."))

    def validate_ends_on(self, field):
        if field.data is not None and self.starts_on.data is not None and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot come before the first."))

    def text(self) -> dict[str, str]:
        return {
            lang: value.strip()
            for lang, value in (("zh", self.text_zh.data), ("en", self.text_en.data))
            if value and value.strip()
        }


class EditionForm(FlaskForm):
    """This year's dates of a festival, as announced; or cancelled."""

    start = DateField(_l("First day"), validators=[InputRequired(message=_l("Enter the first day."))])
    end = DateField(_l("Last day"), validators=[InputRequired(message=_l("Enter the last day."))])
    cancelled = BooleanField(_l("Cancelled this year"))
    source = StringField(
        _l("Where it was announced (a link or a name; optional)"),
        validators=[Length(max=300, message=_l("At most %(max)d characters.", max=300))],
    )
    sequence = HiddenField(filters=[_version])

    def validate_end(self, field):
        if field.data is not None and self.start.data is not None and field.data < self.start.data:
            raise ValidationError(_l("The last day cannot come before the first."))
