"""One definition per record type an officer makes in the field.

Each type pairs its model with a WTForms form. The same form renders the offline HTML form in the officer's
app, validates the `data` of a synced record on the server, and names the fields of the wire format.
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectChoice, StringField, TextAreaField, ValidationError
from wtforms.fields import FloatField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, DateTimeLocalInput, ListWidget, NumberInput

from . import clock
from .models import EarlyWarning, EducationSession, Handout, Visit, iso_utc, utcnow

# How far ahead of the server's clock a phone's clock may run, and how old a record may be.
CLOCK_SKEW = timedelta(hours=1)
MAX_AGE = timedelta(days=366)
MAX_PEOPLE = 10_000


def normal_id(value: Any) -> str | None:
    """An id made on a phone (a record's, a photo's) in the one form the server stores and compares: a UUID in
    lower case with hyphens, whatever case or form the phone sent it in; None when it is not a UUID."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class IsoDateTimeField(StringField):
    """A moment in time: ISO 8601 on the wire, a datetime-local input on the phone, naive UTC in the database.

    A time without an offset is read in the program's time zone (WIB for Jambi).
    """

    widget = DateTimeLocalInput()

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            moment = datetime.fromisoformat(valuelist[0].strip())
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=clock.zone())
            self.data = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except (ValueError, OverflowError):  # OverflowError: year 1 at +14:00 is before the calendar begins
            raise ValueError(_l("Not a valid date and time (ISO 8601, e.g. 2026-11-28T09:30:00+07:00).")) from None


class NumberField(FloatField):
    """A decimal number, with the error message in the user's language."""

    widget = NumberInput(step="any")

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            number = _finite(valuelist[0])
            if number is None:
                raise ValueError(_l("Must be a number."))
            self.data = number


class CountField(IntegerField):
    """A whole number of people or items, 0 when left empty."""

    widget = NumberInput(min=0, step=1)

    def process_formdata(self, valuelist):
        self.data = 0
        if valuelist and str(valuelist[0]).strip():
            number = _finite(valuelist[0])
            if number is None or number != int(number):
                raise ValueError(_l("Must be a whole number."))
            self.data = int(number)


def _finite(text: str) -> float | None:
    """A number a person could have typed; None for text, NaN, and infinities (1e400 is one)."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


class ChecklistField(SelectMultipleField):
    """Several choices, as checkboxes on the phone and a list of codes on the wire."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        known = {choice.value for choice in self.choices}
        for value in self.data or []:
            if value not in known:
                raise ValidationError(_l("Unknown choice: %(value)s.", value=value))


class ReferenceField(StringField):
    """The phone's id of a related record (it may not have reached the server yet)."""

    def pre_validate(self, form):
        if self.data:
            self.data = normal_id(self.data)
            if self.data is None:
                raise ValidationError(_l("Must be the id of a record on this phone."))


def _required():
    return DataRequired(message=_l("This field is required."))


def _choice_required():
    return InputRequired(message=_l("Choose one."))


def _at_most(n: int):
    return Length(max=n, message=_l("At most %(max)d characters."))


def _people():
    return [NumberRange(0, MAX_PEOPLE, _l("Must be between 0 and %(max)d.", max=MAX_PEOPLE))]


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

    def __init__(self, formdata=None, *, villages: dict[str, date | None] | None = None, materials: set[str] | None = None,
                 now: datetime | None = None, **kwargs):
        super().__init__(formdata, **kwargs)
        self.allowed_villages = villages
        self.allowed_materials = materials
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
        until = (self.allowed_villages or {}).get(self.village.data)
        if until is not None and self.occurred_at.data is not None and clock.local_day(self.occurred_at.data) > until:
            self.village.errors = [*self.village.errors, _l(
                "This village stopped being one of your desa binaan on %(date)s.", date=format_date(until, "long"))]
            return False
        if not self.lat.errors and not self.lng.errors and (self.lat.data is None) != (self.lng.data is None):
            missing = self.lng if self.lng.data is None else self.lat
            missing.errors = [*missing.errors, _l("A position needs both latitude and longitude.")]
            return False
        return valid


class VisitForm(FieldRecordForm):
    """A visit to a desa binaan."""

    purpose = StringField(_l("Purpose"), validators=[_required(), _at_most(200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), _at_most(5000)])


SESSION_TOPICS = [
    SelectChoice("tppo", _l("Trafficking in persons (TPPO)")),
    SelectChoice("safe_migration", _l("Safe and procedural migration as a PMI")),
    SelectChoice("passports", _l("Passports")),
    SelectChoice("visas", _l("Visas and stay permits")),
    SelectChoice("foreigners", _l("Monitoring of foreigners")),
    SelectChoice("other", _l("Other")),
]
AUDIENCE_GROUPS = [
    SelectChoice("village_officials", _l("Village officials")),
    SelectChoice("prospective_migrants", _l("Prospective migrant workers")),
    SelectChoice("migrant_families", _l("Families of migrant workers")),
    SelectChoice("students", _l("Students")),
    SelectChoice("leaders", _l("Community and religious leaders")),
]
PARTNERS = [
    SelectChoice("timpora", _l("Timpora members")),
    SelectChoice("labour_office", _l("Labour office")),
    SelectChoice("police", _l("Police")),
    SelectChoice("village_government", _l("Village government")),
    SelectChoice("other", _l("Others")),
]


class SessionForm(FieldRecordForm):
    """An education session (sosialisasi)."""

    venue = StringField(_l("Venue"), validators=[_required(), _at_most(200)])
    topics = ChecklistField(_l("Topics"), choices=SESSION_TOPICS, validators=[_required()])
    male_under_18 = CountField(_l("Boys (under 18)"), validators=_people())
    female_under_18 = CountField(_l("Girls (under 18)"), validators=_people())
    male_adult = CountField(_l("Men (18 and over)"), validators=_people())
    female_adult = CountField(_l("Women (18 and over)"), validators=_people())
    audience_groups = ChecklistField(_l("Audience"), choices=AUDIENCE_GROUPS)
    partners = ChecklistField(_l("Partners present"), choices=PARTNERS)
    materials_used = TextAreaField(_l("Materials used"), validators=[Optional(), _at_most(2000)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), _at_most(5000)])
    visit_id = ReferenceField(_l("Part of visit"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        counts = [self.male_under_18, self.female_under_18, self.male_adult, self.female_adult]
        if not any(f.errors for f in counts) and sum(f.data or 0 for f in counts) == 0:
            self.female_adult.errors = [*self.female_adult.errors, _l("Count at least one person who came.")]
            return False
        return valid


HANDOUT_FORMATS = [SelectChoice("printed", _l("Printed")), SelectChoice("digital", _l("Digital")), SelectChoice("qr", _l("QR code"))]
RECIPIENT_GROUPS = AUDIENCE_GROUPS + [SelectChoice("public", _l("General public"))]


class HandoutForm(FieldRecordForm):
    """Materials from the catalogue handed out in a desa binaan."""

    material = SelectField(_l("Material"), validators=[_required()], validate_choice=False, choices=[])
    quantity = CountField(_l("Quantity"), validators=[NumberRange(1, MAX_PEOPLE, _l("Must be between 1 and %(max)d.", max=MAX_PEOPLE))])
    format = SelectField(_l("Format"), choices=HANDOUT_FORMATS, validators=[_choice_required()])
    recipient_group = SelectField(_l("Given to"), choices=RECIPIENT_GROUPS, validators=[_choice_required()])
    session_id = ReferenceField(_l("Part of session"), validators=[Optional()])

    def validate_material(self, field):
        if self.allowed_materials is not None and field.data not in self.allowed_materials:
            raise ValidationError(_l("This material is not in the catalogue."))


WARNING_CATEGORIES = [
    SelectChoice("recruiter", _l("Illegal recruiter or calo")),
    SelectChoice("fake_job", _l("Fake job offer")),
    SelectChoice("non_procedural_departure", _l("Non-procedural departure")),
    SelectChoice("tppo_victim", _l("Suspected or returning victim of TPPO")),
    SelectChoice("suspicious_foreigner", _l("Suspicious foreigner")),
    SelectChoice("other", _l("Other")),
]
URGENCIES = [SelectChoice("segera", _l("Immediate (segera)")), SelectChoice("tinggi", _l("High (tinggi)")), SelectChoice("biasa", _l("Normal (biasa)"))]
WARNING_SOURCES = [
    SelectChoice("seen", _l("Seen by the officer")),
    SelectChoice("villager", _l("A villager")),
    SelectChoice("village_official", _l("A village official")),
    SelectChoice("family", _l("A family member")),
    SelectChoice("social_media", _l("Social media")),
    SelectChoice("other", _l("Other")),
]


class WarningForm(FieldRecordForm):
    """An early warning (peringatan dini)."""

    category = SelectField(_l("What kind"), choices=WARNING_CATEGORIES, validators=[_choice_required()])
    urgency = SelectField(_l("Urgency"), choices=URGENCIES, validators=[_choice_required()])
    description = TextAreaField(_l("What was seen or heard"), validators=[_required(), _at_most(5000)])
    people_involved = TextAreaField(_l("People involved"), validators=[Optional(), _at_most(2000)])
    source = SelectField(_l("Source of the information"), choices=WARNING_SOURCES, validators=[_choice_required()])


# Suggestions the phone offers for a visit's purpose; the officer may write any other.
VISIT_PURPOSES = [
    _l("Coordination with village officials"),
    _l("Monitoring"),
    _l("Follow-up of an early warning"),
    _l("Meeting with families of migrant workers"),
]


@dataclass(frozen=True)
class RecordType:
    """A kind of field record: its model (which names it on the wire), form, and the column a wire field is
    stored in."""

    label: Any
    model: type
    form: type[FieldRecordForm]
    columns: tuple[tuple[str, str], ...] = (("village", "village_code"),)

    @property
    def name(self) -> str:
        return self.model.record_type

    @cached_property
    def field_names(self) -> list[str]:
        """The names of the form's fields, which are also the keys of the wire format's `data`."""
        return [field.name for field in self.form()]

    @cached_property
    def list_fields(self) -> frozenset[str]:
        return frozenset(field.name for field in self.form() if isinstance(field, SelectMultipleField))

    def column(self, name: str) -> str:
        return dict(self.columns).get(name, name)

    def validate(
        self, data: Any, *, villages: dict[str, date | None], materials: set[str] | None = None,
        now: datetime | None = None,
    ) -> tuple[FieldRecordForm, dict[str, list[str]]]:
        """Return the form filled from a synced record's `data`, and what is wrong with it by field."""
        context = {"villages": villages, "materials": materials, "now": now}
        if not isinstance(data, dict):
            return self.form(**context), {"data": [str(_l("Must be an object of fields."))]}
        form = self.form(self.formdata(data), **context)
        form.validate()
        errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        for name, value in data.items():
            if name not in self.field_names:
                continue
            if name in self.list_fields and not isinstance(value, list):
                errors[name] = [str(_l("Must be a list."))]
            elif name not in self.list_fields and isinstance(value, (list, dict, bool)):
                errors[name] = [str(_l("Must be text or a number."))]
        return form, errors

    def formdata(self, data: dict) -> MultiDict:
        """Turn a record's JSON `data` into form data; values of the wrong shape are left out."""
        out = MultiDict()
        for key, value in data.items():
            if key in self.list_fields and isinstance(value, list):
                out.setlist(key, [str(v) for v in value if isinstance(v, (str, int))])
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                out[key] = str(value)
        return out

    def to_wire(self, record) -> dict:
        """Return a stored record's `data` as the phone sends it."""
        return {name: _wire_value(getattr(record, self.column(name))) for name in self.field_names}

    def wire_from_form(self, form: FieldRecordForm) -> dict:
        """Return a validated form's values as the phone sends them."""
        return {name: _wire_value(form[name].data) for name in self.field_names}

    def fill(self, record, form: FieldRecordForm) -> None:
        """Copy a validated form onto a model instance."""
        for name in self.field_names:
            value = form[name].data
            if isinstance(form[name], (StringField, TextAreaField)) and value is None:
                value = "" if not name.endswith("_id") else None
            setattr(record, self.column(name), value)


def _wire_value(value):
    return iso_utc(value) if isinstance(value, datetime) else value


RECORD_TYPES: dict[str, RecordType] = {
    kind.name: kind for kind in (
        RecordType(_l("Visit"), Visit, VisitForm),
        RecordType(_l("Education session"), EducationSession, SessionForm),
        RecordType(_l("Material hand-out"), Handout, HandoutForm,
                   columns=(("village", "village_code"), ("material", "material_slug"))),
        RecordType(_l("Early warning"), EarlyWarning, WarningForm),
    )
}
