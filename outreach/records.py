"""One definition per record type an officer makes in the field.

Each type pairs its model with a WTForms form. The same form renders the offline HTML form in the officer's
app, validates the `data` of a synced record on the server, and names the fields of the wire format.
"""

from __future__ import annotations

import math
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, reduce
from operator import add
from typing import Any, ClassVar

from flask import url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import inspect
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectChoice, StringField, TextAreaField, ValidationError
from wtforms.fields import Field, FloatField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, DateTimeLocalInput, ListWidget, NumberInput, Select

from . import clock
from .models import EarlyWarning, EducationSession, FieldRecord, Handout, Visit, iso_utc, utcnow
from .vocabulary import URGENCY, WARNING_CATEGORY, WARNING_SOURCE

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

    A time without an offset is read in the zone of the logged-in user's office (`clock.reader_zone`: the
    officer's, WITA for a Kanim in Makassar; the default for a user of no office). The phone always sends the
    offset (`static/js/app.js` sends UTC), so this serves files and hand-made requests.
    """

    widget = DateTimeLocalInput()
    invalid = _l("Not a valid date and time (ISO 8601, e.g. 2026-11-28T09:30:00+07:00).")

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            moment = datetime.fromisoformat(valuelist[0].strip())
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=clock.reader_zone())
            self.data = moment.astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):  # OverflowError: year 1 at +14:00 is before the calendar begins
            raise ValueError(self.invalid) from None


class NumberField(FloatField):
    """A decimal number, with the error message in the user's language."""

    widget = NumberInput(step="any")
    invalid = _l("Must be a number.")

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            number = _finite(valuelist[0])
            if number is None:
                raise ValueError(self.invalid)
            self.data = number


class CountField(IntegerField):
    """A whole number of people or items, 0 when left empty."""

    widget = NumberInput(min=0, step=1)
    invalid = _l("Must be a whole number.")

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = 0
        if valuelist and str(valuelist[0]).strip():
            number = _finite(valuelist[0])
            if number is None or number != int(number):
                raise ValueError(self.invalid)
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
    unknown = _l("Unknown choice: %(value)s.")

    def pre_validate(self, form: Form) -> None:
        known = {choice.value for choice in self.choices}
        for value in self.data or []:
            if value not in known:
                raise ValidationError(str(self.unknown) % {"value": value})


class ReferenceField(StringField):
    """The phone's id of a related record (it may not have reached the server yet)."""

    data: str | None
    invalid = _l("Must be the id of a record on this phone.")

    def pre_validate(self, form: Form) -> None:
        if self.data:
            self.data = normal_id(self.data)
            if self.data is None:
                raise ValidationError(self.invalid)


def _required() -> DataRequired:
    return DataRequired(message=_l("This field is required."))


class ChooseSelect(Select):
    """A list that starts on no choice: what a record reports (a warning's urgency, its source, what a hand-out
    was) is chosen by the officer, never left at whatever option comes first. Saved unchosen, it is "Choose one."."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        opening, options = str(super().__call__(field, **kwargs)).split(">", 1)
        unchosen = Markup(" selected") if field.data in (None, "") else Markup("")
        prompt = Markup('<option value=""{} disabled hidden>{}</option>').format(unchosen, _("Choose…"))
        return Markup(opening + ">") + prompt + Markup(options)


def _choice_required() -> InputRequired:
    return InputRequired(message=_l("Choose one."))


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters."))


def _people() -> list[NumberRange]:
    return [NumberRange(0, MAX_PEOPLE, _l("Must be between 0 and %(max)d.", max=MAX_PEOPLE))]


@dataclass(frozen=True)
class Check(ABC):
    """A rule across fields, or against the clock, declared once: the server applies it after the fields' own
    validators (`FieldRecordForm.validate`), the phone applies `rule()` (static/js/checks.js) before saving.
    It is skipped while one of its fields already has an error; `failing` names the field its message goes
    beside."""

    fields: tuple[str, ...]
    message: Any
    code: ClassVar[str]

    def applies(self, form: FieldRecordForm) -> bool:
        return not any(form[name].errors for name in self.fields)

    @abstractmethod
    def failing(self, form: FieldRecordForm) -> str | None:
        """The field to put the message beside, or None when the rule holds."""

    def apply(self, form: FieldRecordForm) -> bool:
        field = self.failing(form) if self.applies(form) else None
        if field is not None:
            form[field].errors = [*form[field].errors, self.message]
        return field is None

    def rule(self) -> dict[str, Any]:
        return {"check": self.code, "fields": list(self.fields), "message": str(self.message)}


@dataclass(frozen=True)
class AtLeastOne(Check):
    """The counts add up to at least one (a session reached somebody); said beside the first count."""

    code = "at_least_one"

    def failing(self, form: FieldRecordForm) -> str | None:
        return self.fields[0] if sum(form[name].data or 0 for name in self.fields) == 0 else None


@dataclass(frozen=True)
class BothOrNeither(Check):
    """Two fields given together or not at all (a position); said beside the one missing."""

    code = "both_or_neither"

    def failing(self, form: FieldRecordForm) -> str | None:
        missing = [name for name in self.fields if form[name].data is None]
        return missing[0] if len(missing) == 1 else None


@dataclass(frozen=True)
class AgainstNow(Check):
    """A moment kept within `margin` of now (by the checking clock), on the side `outside` says it may not pass."""

    margin: timedelta = timedelta(0)

    @abstractmethod
    def outside(self, moment: datetime, now: datetime) -> bool:
        """Whether the moment lies beyond the margin."""

    def failing(self, form: FieldRecordForm) -> str | None:
        moment = form[self.fields[0]].data
        return self.fields[0] if moment is not None and self.outside(moment, form.now) else None

    def rule(self) -> dict[str, Any]:
        return {**super().rule(), "ms": self.margin // timedelta(milliseconds=1)}


@dataclass(frozen=True)
class NotAfterNow(AgainstNow):
    """A moment no later than now plus `margin`."""

    code = "not_after_now"

    def outside(self, moment: datetime, now: datetime) -> bool:
        return moment > now + self.margin


@dataclass(frozen=True)
class NotBeforeNow(AgainstNow):
    """A moment no earlier than now less `margin`."""

    code = "not_before_now"

    def outside(self, moment: datetime, now: datetime) -> bool:
        return moment < now - self.margin


class FieldRecordForm(Form):
    """What every field record has: the desa binaan, when it happened, and where the phone was.

    `checks` are its rules across fields, which the phone applies too. The rest of `validate` is the server's
    alone, as it needs the server's records: the village is one of the officer's desa binaan
    (`validate_village`) and still was on the day, the material is in the catalogue (`validate_material`);
    the phone offers only its own villages and the catalogue's materials."""

    checks: ClassVar[tuple[Check, ...]] = (
        NotAfterNow(
            ("occurred_at",),
            _l("This is in the future: check the date and the phone's clock."),
            margin=CLOCK_SKEW,
        ),
        NotBeforeNow(("occurred_at",), _l("This is more than a year ago: check the date."), margin=MAX_AGE),
        BothOrNeither(("lat", "lng"), _l("A position needs both latitude and longitude.")),
    )

    village = SelectField(_l("Desa binaan"), validators=[_required()], validate_choice=False, choices=[])
    occurred_at = IsoDateTimeField(_l("When"), validators=[_required()])
    lat = NumberField(
        _l("Latitude"),
        validators=[Optional(), NumberRange(-90, 90, _l("Latitude must be between -90 and 90."))],
    )
    lng = NumberField(
        _l("Longitude"),
        validators=[Optional(), NumberRange(-180, 180, _l("Longitude must be between -180 and 180."))],
    )
    accuracy = NumberField(
        _l("Accuracy (metres)"),
        validators=[
            Optional(),
            NumberRange(0, 100_000, _l("Accuracy must be between 0 and 100,000 metres.")),
        ],
    )

    def __init__(
        self,
        formdata: MultiDict[str, str] | None = None,
        *,
        villages: dict[str, date | None] | None = None,
        materials: set[str] | None = None,
        now: datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(formdata, **kwargs)
        self.allowed_villages = villages
        self.allowed_materials = materials
        self.now = now or utcnow()

    def validate_village(self, field: Field) -> None:
        if self.allowed_villages is not None and field.data not in self.allowed_villages:
            raise ValidationError(_l("This village is not one of your desa binaan."))

    def validate(self, extra_validators: dict[str, list[Any]] | None = None) -> bool:
        valid: bool = super().validate(extra_validators)
        for check in self.checks:
            valid = check.apply(self) and valid
        until = (self.allowed_villages or {}).get(self.village.data)
        if (
            until is not None
            and self.occurred_at.data is not None
            and clock.local_day(self.occurred_at.data, clock.reader_zone()) > until
        ):
            self.village.errors = [
                *self.village.errors,
                _l(
                    "This village stopped being one of your desa binaan on %(date)s.",
                    date=format_date(until, "long"),
                ),
            ]
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


# The counts of a session whose sum is the people it reached.
PEOPLE_FIELDS = ("male_under_18", "female_under_18", "male_adult", "female_adult")


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

    checks = (*FieldRecordForm.checks, AtLeastOne(PEOPLE_FIELDS, _l("Count at least one person who came.")))


HANDOUT_FORMATS = [
    SelectChoice("printed", _l("Printed")),
    SelectChoice("digital", _l("Digital")),
    SelectChoice("qr", _l("QR code")),
]
RECIPIENT_GROUPS = [*AUDIENCE_GROUPS, SelectChoice("public", _l("General public"))]


class HandoutForm(FieldRecordForm):
    """Materials from the catalogue handed out in a desa binaan."""

    material = SelectField(_l("Material"), validators=[_required()], validate_choice=False, choices=[])
    quantity = CountField(
        _l("Quantity"),
        validators=[NumberRange(1, MAX_PEOPLE, _l("Must be between 1 and %(max)d.", max=MAX_PEOPLE))],
    )
    format = SelectField(
        _l("Format"), choices=HANDOUT_FORMATS, validators=[_choice_required()], widget=ChooseSelect()
    )
    recipient_group = SelectField(
        _l("Given to"), choices=RECIPIENT_GROUPS, validators=[_choice_required()], widget=ChooseSelect()
    )
    session_id = ReferenceField(_l("Part of session"), validators=[Optional()])

    def validate_material(self, field: Field) -> None:
        if self.allowed_materials is not None and field.data not in self.allowed_materials:
            raise ValidationError(_l("This material is not in the catalogue."))


class WarningForm(FieldRecordForm):
    """An early warning (peringatan dini)."""

    category = SelectField(
        _l("What kind"),
        choices=WARNING_CATEGORY.choices(),
        validators=[_choice_required()],
        widget=ChooseSelect(),
    )
    urgency = SelectField(
        _l("Urgency"), choices=URGENCY.choices(), validators=[_choice_required()], widget=ChooseSelect()
    )
    description = TextAreaField(_l("What was seen or heard"), validators=[_required(), _at_most(5000)])
    people_involved = TextAreaField(_l("People involved"), validators=[Optional(), _at_most(2000)])
    people_count = CountField(_l("Number of people at risk"), validators=_people())
    source = SelectField(
        _l("Source of the information"),
        choices=WARNING_SOURCE.choices(),
        validators=[_choice_required()],
        widget=ChooseSelect(),
    )


# Suggestions the phone offers for a visit's purpose; the officer may write any other.
VISIT_PURPOSES = [
    _l("Coordination with village officials"),
    _l("Monitoring"),
    _l("Follow-up of an early warning"),
    _l("Meeting with families of migrant workers"),
]


# Where the phone was: a form's last group, filled by the phone's position.
POSITION_FIELDS = ("lat", "lng", "accuracy")

# A part of a record's one-line summary: `{field}`, or `{people}` for the people it reached.
SUMMARY_PART = re.compile(r"\{(\w+)\}")
PEOPLE = "people"


# eq=False: each type is made once (RECORD_TYPES), and a push keys its records by type; a hash of its fields
# would translate its label every time.
@dataclass(frozen=True, eq=False)
class RecordType:
    """A kind of field record: its model (which names it on the wire), form, and the column a wire field is
    stored in; and what the rest of the program asks of a record whatever its type, so that nothing outside
    this registry branches on a type's name.

    - `counts_for_coverage`: a record of it makes its desa binaan covered and counts as activity there.
    - `has_photos`: the officer may add a photo of the event and one of its attendance sheet.
    - `has_follow_up`: the office follows it up, and the phone is told how that stands.
    - `people_fields`: the counts whose sum is the people it reached (`people_reached`, `people_sum`).
    - `summary`: the record in one line, with `{field}` or `{people}` parts (`summarise`, and `summary` in
      static/js/records.js from `field.views.client_labels`).
    - `page`: the managers' page of one record, as its endpoint and the name of its id argument.
    - `leading`: the fields a record's details show first, after its village (a warning's urgency).
    """

    label: Any
    model: type[FieldRecord]
    form: type[FieldRecordForm]
    summary: str
    columns: tuple[tuple[str, str], ...] = (("village", "village_code"),)
    counts_for_coverage: bool = False
    has_photos: bool = False
    has_follow_up: bool = False
    people_fields: tuple[str, ...] = ()
    page: tuple[str, str] | None = None
    leading: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse a field with no column to store it in (`fill` would set an attribute the database never
        sees), and people, summary or leading parts that are not fields of the type."""
        stored: set[str] = set(inspect(self.model).columns.keys())
        missing = [name for name in self.field_names if self.column(name) not in stored]
        unknown = [
            name
            for name in (*self.people_fields, *self.summary_parts, *self.leading)
            if name not in self.field_names and not (name == PEOPLE and self.people_fields)
        ]
        if missing or unknown:
            raise TypeError(
                f"Record type {self.name}: fields without a column of {self.model.__name__}: "
                f"{missing}; people, summary or leading parts that are not its fields: {unknown}"
            )

    @property
    def name(self) -> str:
        return self.model.record_type

    @property
    def summary_parts(self) -> list[str]:
        return SUMMARY_PART.findall(self.summary)

    @cached_property
    def choice_labels(self) -> dict[str, dict[str, Any]]:
        """The label of each code of each field with fixed choices, by field."""
        return {
            field.name: {str(choice.value): choice.label for choice in field.choices}
            for field in self.form()
            if getattr(field, "choices", None)
        }

    @cached_property
    def field_names(self) -> list[str]:
        """The names of the form's fields, which are also the keys of the wire format's `data`."""
        return [field.name for field in self.form()]

    @cached_property
    def detail_order(self) -> list[str]:
        """The order a record's details are shown in on the phone: its village, its `leading` fields, then the
        rest as the phone's form shows them (outreach/templates/field/_record_form.html: the position last)."""
        first = ["village", *self.leading]
        rest = [name for name in self.field_names if name not in first and name not in POSITION_FIELDS]
        return [*first, *rest, *(name for name in POSITION_FIELDS if name in self.field_names)]

    @cached_property
    def list_fields(self) -> frozenset[str]:
        return frozenset(field.name for field in self.form() if isinstance(field, SelectMultipleField))

    def column(self, name: str) -> str:
        return dict(self.columns).get(name, name)

    def validate(
        self,
        data: Any,
        *,
        villages: dict[str, date | None],
        materials: set[str] | None = None,
        now: datetime | None = None,
    ) -> tuple[FieldRecordForm, dict[str, list[str]]]:
        """Return the form filled from a synced record's `data`, and what is wrong with it by field."""
        form = self.form(villages=villages, materials=materials, now=now)
        return form, self.check(form, data)

    def reader(
        self,
        *,
        villages: dict[str, date | None],
        materials: set[str] | None = None,
        now: datetime | None = None,
    ) -> RecordReader:
        """A reader of many records' `data` against the same villages, materials and clock (a push's)."""
        return RecordReader(self, self.form(villages=villages, materials=materials, now=now))

    def check(self, form: FieldRecordForm, data: Any) -> dict[str, list[str]]:
        """Fill `form` afresh from a synced record's `data` and validate it: what is wrong, by field."""
        if not isinstance(data, dict):
            form.process(None)
            return {"data": [str(_l("Must be an object of fields."))]}
        form.process(self.formdata(data))
        form.validate()
        errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        for name, value in data.items():
            if name not in self.field_names:
                continue
            if name in self.list_fields and not isinstance(value, list):
                errors[name] = [str(NOT_A_LIST)]
            elif name not in self.list_fields and isinstance(value, (list, dict, bool)):
                errors[name] = [str(NOT_A_VALUE)]
        return errors

    def rules(self) -> dict[str, Any]:
        """What `validate` checks that the phone can check too, as data for static/js/checks.js, in the user's
        language: each field's kind, validators (in order) and choices, the form's `checks`, and the messages
        for values of the wrong shape. A validator it cannot describe is refused here, not left to the server
        alone; what only the server can know is named on `FieldRecordForm`."""
        form = self.form()
        return {
            "fields": {field.name: _field_rules(field) for field in form},
            "checks": [check.rule() for check in form.checks],
            "not_a_list": str(NOT_A_LIST),
            "not_a_value": str(NOT_A_VALUE),
        }

    def formdata(self, data: dict[str, Any]) -> MultiDict[str, str]:
        """Turn a record's JSON `data` into form data; values of the wrong shape are left out."""
        out: MultiDict[str, str] = MultiDict()
        for key, value in data.items():
            if key in self.list_fields and isinstance(value, list):
                out.setlist(key, [str(v) for v in value if isinstance(v, (str, int))])
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                out[key] = str(value)
        return out

    def to_wire(self, record: FieldRecord) -> dict[str, Any]:
        """Return a stored record's `data` as the phone sends it."""
        return {name: _wire_value(getattr(record, self.column(name))) for name in self.field_names}

    def wire_from_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Return a validated record's values (`RecordReader.read`) as the phone sends them."""
        return {name: _wire_value(values[name]) for name in self.field_names}

    def people_reached(self, record: Any) -> int:
        """How many people a stored record reached (0 for a type that counts none)."""
        return sum(getattr(record, self.column(name)) or 0 for name in self.people_fields)

    def people_sum(self) -> Any:
        """The people a record reached as an SQL expression of its model's columns, to add up in a query
        (for a type with `people_fields`)."""
        return reduce(add, (getattr(self.model, self.column(name)) for name in self.people_fields))

    def summarise(self, record: Any, titles: dict[str, dict[str, str]] | None = None) -> str:
        """A stored record in one line, as `summary` in records.js shows it on the phone: a field with choices
        by its label, a field naming a row of a catalogue by its title in `titles` (by field, then code)."""

        def part(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == PEOPLE:
                reached = self.people_reached(record)
                return str(
                    ngettext("%(count)s person", "%(count)s people", reached, count=format_decimal(reached))
                )
            value = getattr(record, self.column(name))
            labels = self.choice_labels.get(name) or (titles or {}).get(name) or {}
            return str(labels.get(value) or ("" if value is None else value))

        return SUMMARY_PART.sub(part, self.summary)

    def page_url(self, record: Any) -> str | None:
        """The address of the managers' page of this record, if its type has one."""
        if self.page is None:
            return None
        endpoint, argument = self.page
        return url_for(endpoint, **{argument: record.id})

    @cached_property
    def text_fields(self) -> frozenset[str]:
        """The fields of text, stored as "" when left empty (a reference as None)."""
        return frozenset(
            field.name for field in self.form() if isinstance(field, (StringField, TextAreaField))
        )

    @cached_property
    def stored_columns(self) -> tuple[tuple[str, str], ...]:
        """Each field's name and the column it is stored in."""
        return tuple((name, self.column(name)) for name in self.field_names)

    def fill(self, record: FieldRecord, values: Mapping[str, Any]) -> None:
        """Copy a validated record's values (`RecordReader.read`) onto a model instance (that each field has a
        column is checked when the type is made)."""
        for name, column in self.stored_columns:
            value = values[name]
            if value is None and name in self.text_fields:
                value = "" if not name.endswith("_id") else None
            setattr(record, column, value)


@dataclass(frozen=True)
class RecordReader:
    """Reads many records of one type with one form, filled afresh for each (making the form is most of the
    cost of reading a record), by the same validators as `RecordType.validate`."""

    kind: RecordType
    form: FieldRecordForm

    def read(self, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """A synced record's `data` read: each field's value, and what is wrong with it by field."""
        errors = self.kind.check(self.form, data)
        return {name: self.form[name].data for name in self.kind.field_names}, errors


NOT_A_LIST = _l("Must be a list.")
NOT_A_VALUE = _l("Must be text or a number.")

# What the phone makes of a field's wire value, by the field's class (the first that matches).
FIELD_KINDS: tuple[tuple[type[Field], str], ...] = (
    (IsoDateTimeField, "datetime"),
    (ReferenceField, "reference"),
    (CountField, "count"),
    (NumberField, "number"),
    (ChecklistField, "checklist"),
    (SelectField, "select"),
    (StringField, "text"),
)


def _field_rules(field: Field) -> dict[str, Any]:
    """One field's rules for the phone: how its value is read, then its validators in the order WTForms runs
    them (`Optional` and the required ones stop the chain and clear earlier errors, as they do there)."""
    kind = next((name for cls, name in FIELD_KINDS if isinstance(field, cls)), None)
    if kind is None:
        raise TypeError(f"The phone cannot read a {type(field).__name__} ({field.name})")
    rules: dict[str, Any] = {
        "kind": kind,
        "validators": [_validator_rule(field, v) for v in field.validators],
    }
    if hasattr(field, "invalid"):
        rules["invalid"] = str(field.invalid)
    if kind == "checklist":
        rules["choices"] = [str(choice.value) for choice in field.choices]
        rules["unknown"] = str(field.unknown)
    elif kind == "select" and field.validate_choice:
        rules["choices"] = [str(choice.value) for choice in field.choices]
        rules["unknown"] = field.gettext("Not a valid choice.")
    elif kind == "datetime":  # the officer's zone's offset today: Indonesia keeps no summer time
        offset = datetime.now(clock.reader_zone()).utcoffset() or timedelta(0)
        rules["zone_minutes"] = offset // timedelta(minutes=1)
    return rules


def _validator_rule(field: Field, validator: Any) -> list[Any]:
    if isinstance(validator, Optional):
        return ["optional"]
    message = validator.message
    if message is None:
        raise TypeError(f"{type(validator).__name__} of {field.name} has no message of the program's own")
    if isinstance(validator, DataRequired):
        return ["data_required", str(message)]
    if isinstance(validator, InputRequired):
        return ["input_required", str(message)]
    if isinstance(validator, Length):
        return [
            "length",
            validator.min,
            validator.max,
            str(message) % {"min": validator.min, "max": validator.max},
        ]
    if isinstance(validator, NumberRange):
        return [
            "range",
            validator.min,
            validator.max,
            str(message) % {"min": validator.min, "max": validator.max},
        ]
    raise TypeError(
        f"The phone cannot check {type(validator).__name__} of {field.name}: describe it in _field_rules"
    )


def _wire_value(value: object) -> object:
    return iso_utc(value) if isinstance(value, datetime) else value


RECORD_TYPES: dict[str, RecordType] = {
    kind.name: kind
    for kind in (
        RecordType(_l("Visit"), Visit, VisitForm, "{purpose}", counts_for_coverage=True),
        RecordType(
            _l("Education session"),
            EducationSession,
            SessionForm,
            "{venue} · {people}",
            counts_for_coverage=True,
            has_photos=True,
            people_fields=PEOPLE_FIELDS,
        ),
        RecordType(
            _l("Material hand-out"),
            Handout,
            HandoutForm,
            "{material} \N{MULTIPLICATION SIGN} {quantity}",
            columns=(("village", "village_code"), ("material", "material_slug")),
        ),
        RecordType(
            _l("Early warning"),
            EarlyWarning,
            WarningForm,
            "{urgency} · {category}",
            has_follow_up=True,
            page=("manage.warning", "warning_id"),
            leading=("urgency",),
        ),
    )
}

# The types whose records make a desa binaan covered and count as activity in it.
COVERING_TYPES = tuple(kind for kind in RECORD_TYPES.values() if kind.counts_for_coverage)
