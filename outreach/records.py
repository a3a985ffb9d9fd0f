"""One definition per record type an officer makes in the field.

Each type pairs its model with a WTForms form. The same form renders the offline HTML form in the officer's
app, validates the `data` of a synced record on the server, and names the fields of the wire format.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField, ValidationError
from wtforms.fields import FloatField, SelectField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import DateTimeLocalInput, NumberInput

from .models import Visit, iso_utc, utcnow

# How far ahead of the server's clock a phone's clock may run, and how old a record may be.
CLOCK_SKEW = timedelta(hours=1)
MAX_AGE = timedelta(days=366)


class IsoDateTimeField(StringField):
    """A moment in time: ISO 8601 on the wire, a datetime-local input on the phone, naive UTC in the database.

    A time without an offset is read in the program's time zone (WIB for Jambi).
    """

    widget = DateTimeLocalInput()

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        raw = valuelist[0].strip()
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(_l("Not a valid date and time (ISO 8601, e.g. 2026-11-28T09:30:00+07:00).")) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        self.data = moment.astimezone(timezone.utc).replace(tzinfo=None)


class NumberField(FloatField):
    """A decimal number, with the error message in the user's language."""

    widget = NumberInput(step="any")

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            try:
                self.data = float(valuelist[0])
            except ValueError:
                raise ValueError(_l("Must be a number.")) from None


def _required():
    return DataRequired(message=_l("This field is required."))


class FieldRecordForm(Form):
    """What every field record has: the desa binaan, when it happened, and where the phone was."""

    village = SelectField(_l("Desa binaan"), validators=[_required()], validate_choice=False, choices=[])
    occurred_at = IsoDateTimeField(_l("When"), validators=[_required()])
    lat = NumberField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90, _l("Latitude must be between -90 and 90."))])
    lng = NumberField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180, _l("Longitude must be between -180 and 180."))])
    accuracy = NumberField(
        _l("Accuracy (metres)"),
        validators=[Optional(), NumberRange(0, 100_000, _l("Accuracy must be between 0 and 100,000 metres."))],
    )

    def __init__(self, formdata=None, *, villages: set[str] | None = None, now: datetime | None = None, **kwargs):
        super().__init__(formdata, **kwargs)
        self.allowed_villages = villages
        self.now = now or utcnow()

    def validate_village(self, field):
        if self.allowed_villages is not None and field.data not in self.allowed_villages:
            raise ValidationError(_l("This village is not one of your desa binaan."))

    def validate_occurred_at(self, field):
        if field.data is None:
            return
        if field.data > self.now + CLOCK_SKEW:
            raise ValidationError(_l("This is in the future: check the date and the phone's clock."))
        if field.data < self.now - MAX_AGE:
            raise ValidationError(_l("This is more than a year ago: check the date."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.lat.errors and not self.lng.errors and (self.lat.data is None) != (self.lng.data is None):
            missing = self.lng if self.lng.data is None else self.lat
            missing.errors = [*missing.errors, _l("A position needs both latitude and longitude.")]
            return False
        return valid


class VisitForm(FieldRecordForm):
    """A visit to a desa binaan."""

    purpose = StringField(
        _l("Purpose"),
        validators=[_required(), Length(max=200, message=_l("At most %(max)d characters."))],
    )
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=5000, message=_l("At most %(max)d characters."))]
    )


# Suggestions the phone offers for a visit's purpose; the officer may write any other.
VISIT_PURPOSES = [
    _l("Coordination with village officials"),
    _l("Monitoring"),
    _l("Follow-up of an early warning"),
    _l("Meeting with families of migrant workers"),
]


@dataclass(frozen=True)
class RecordType:
    """A kind of field record: its wire name, model and form."""

    name: str
    model: type
    form: type[FieldRecordForm]

    def validate(
        self, data: Any, *, villages: set[str], now: datetime | None = None
    ) -> tuple[FieldRecordForm, dict[str, list[str]]]:
        """Return the form filled from a synced record's `data`, and what is wrong with it by field."""
        if not isinstance(data, dict):
            return self.form(villages=villages, now=now), {"data": [str(_l("Must be an object of fields."))]}
        form = self.form(wire_formdata(data), villages=villages, now=now)
        form.validate()
        errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        for name, value in data.items():
            if name in form._fields and isinstance(value, (list, dict, bool)):
                errors[name] = [str(_l("Must be text or a number."))]
        return form, errors

    @cached_property
    def field_names(self) -> list[str]:
        """The names of the form's fields, which are also the keys of the wire format's `data`."""
        return [field.name for field in self.form()]

    def to_wire(self, record) -> dict:
        """Return a stored record's `data` as the phone sends it."""
        data = {}
        for name in self.field_names:
            value = getattr(record, "village_code" if name == "village" else name)
            if isinstance(value, datetime):
                value = iso_utc(value)
            data[name] = value
        return data

    def fill(self, record, form: FieldRecordForm) -> None:
        """Copy a validated form onto a model instance."""
        for name in self.field_names:
            value = form[name].data
            if name == "notes" and value is None:
                value = ""
            setattr(record, "village_code" if name == "village" else name, value)


def wire_formdata(data: dict) -> MultiDict:
    """Turn a record's JSON `data` into form data; values that are not text or numbers are left out."""
    out = MultiDict()
    for key, value in data.items():
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (str, int, float)):
            out[key] = str(value)
    return out


RECORD_TYPES: dict[str, RecordType] = {
    "visit": RecordType("visit", Visit, VisitForm),
}
