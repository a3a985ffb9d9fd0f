"""Forms of the managers' pages."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from .. import clock
from ..guidance import TOPICS
from ..models import OfficeKind
from ..notices import NOTIFYING
from ..vocabulary import AGENCY, RISK_LEVEL, TIME_ZONE, URGENCY, WARNING_STATUS


class OutboxUploadForm(FlaskForm):
    file = FileField(
        _l("Export file from an officer's phone"), validators=[FileRequired(_l("Choose the file."))]
    )


class MaterialForm(FlaskForm):
    """A material of the catalogue, Indonesian and English side by side."""

    slug = StringField(
        _l("Address name (slug)"),
        validators=[
            DataRequired(_l("This field is required.")),
            Length(max=120),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and dashes only.")
            ),
        ],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("article", _l("Article")),
            SelectChoice("leaflet", _l("Leaflet (file)")),
            SelectChoice("poster", _l("Poster (file)")),
            SelectChoice("video", _l("Video link")),
        ],
    )
    topics = SelectMultipleField(
        _l("Topics"),
        choices=[SelectChoice(code, label) for code, label in TOPICS],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    title_id = StringField(
        _l("Title (Indonesian)"), validators=[DataRequired(_l("This field is required.")), Length(max=200)]
    )
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    summary_id = TextAreaField(_l("Summary (Indonesian)"), validators=[Optional(), Length(max=1000)])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Optional(), Length(max=1000)])
    body_id = TextAreaField(_l("Text in Markdown (Indonesian)"), validators=[Optional(), Length(max=50_000)])
    body_en = TextAreaField(_l("Text in Markdown (English)"), validators=[Optional(), Length(max=50_000)])
    sources = TextAreaField(
        _l("Sources: one per line, “fact | source”"), validators=[Optional(), Length(max=20_000)]
    )
    video_url = URLField(
        _l("Video address"),
        validators=[Optional(), URL(message=_l("Must be a web address.")), Length(max=500)],
    )
    file = FileField(_l("File (PDF, PNG or JPEG)"))  # its bytes decide, not its name: see guidance.file_type
    reviewed_on = DateField(_l("Last reviewed on"), validators=[Optional()])
    reviewed_by = StringField(_l("Reviewed by"), validators=[Optional(), Length(max=120)])
    published = BooleanField(_l("Published"))


class ContactForm(FlaskForm):
    name_id = StringField(
        _l("Name (Indonesian)"), validators=[DataRequired(_l("This field is required.")), Length(max=200)]
    )
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    value = StringField(_l("Number or address"), validators=[Optional(), Length(max=200)])
    hours_id = StringField(_l("Hours (Indonesian)"), validators=[Optional(), Length(max=120)])
    hours_en = StringField(_l("Hours (English)"), validators=[Optional(), Length(max=120)])
    description_id = TextAreaField(_l("Description (Indonesian)"), validators=[Optional(), Length(max=2000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=2000)])
    verified_on = DateField(_l("Checked on"), validators=[Optional()])
    # Only for those who may change contacts of no office (`rights.contact_keepers`); the view sets the choices.
    office_id = SelectField(_l("Kept by"), coerce=lambda value: "" if value is None else str(value))


class OfficeDetailsForm(FlaskForm):
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=60)])
    whatsapp = StringField(_l("WhatsApp (information only)"), validators=[Optional(), Length(max=60)])
    hours = StringField(_l("Service hours"), validators=[Optional(), Length(max=120)])
    verified_on = DateField(_l("Checked on"), validators=[Optional()])
    sms_gateway = StringField(
        _l("SMS gateway number (officers send urgent warnings to it without data)"),
        filters=[lambda value: re.sub(r"[\s.()-]", "", value) if value else ""],
        validators=[
            Optional(),
            Regexp(r"^\+[0-9]{8,15}$", message=_l("A number in international form, e.g. +6281234567890.")),
        ],
    )


class FollowUpForm(FlaskForm):
    """The office's follow-up of an early warning."""

    status = SelectField(_l("Status"), choices=WARNING_STATUS.choices())
    referred_to = SelectField(_l("Referred to"), choices=[SelectChoice("", "—"), *AGENCY.choices()])
    responsible = StringField(_l("Person responsible"), validators=[Optional(), Length(max=120)])
    note = TextAreaField(
        _l("Note (the reporting officer sees it)"), validators=[Optional(), Length(max=2000)]
    )
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=2000)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.status.data == "follow_up" and not (self.referred_to.data and self.responsible.data):
            self.responsible.errors = [
                *self.responsible.errors,
                _l("A follow-up needs the agency and the person responsible."),
            ]
            return False
        if self.status.data == "closed" and not self.outcome.data:
            self.outcome.errors = [*self.outcome.errors, _l("Say how it ended.")]
            return False
        return valid


def email_field() -> StringField:
    """Where a manager's notices of early warnings go (`outreach.notices`); checked by `accounts.set_notices`."""
    return StringField(
        _l("E-mail address (for notices of early warnings)"),
        validators=[Optional(), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "email"},
    )


def notify_field() -> SelectMultipleField:
    """The urgencies whose warnings notify a manager."""
    return SelectMultipleField(
        _l("Notices by e-mail of new early warnings of urgency"),
        choices=[code for code in URGENCY.choices() if code.value in NOTIFYING],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class NoticeSettingsForm(FlaskForm):
    """A manager's own e-mail address and the urgencies that notify them (their account page)."""

    email = email_field()
    notify = notify_field()


ROLE_LABELS = {
    "officer": _l("Officer (Pimpasa)"),
    "manager": _l("Program manager"),
    "admin": _l("Administrator"),
}


class UserForm(FlaskForm):
    """An account; the view narrows the roles and offices to what the manager may give, and leaves out the
    username and password when editing."""

    username = StringField(
        _l("Username"), validators=[DataRequired(_l("This field is required.")), Length(max=64)]
    )
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"))
    office = SelectField(_l("Office"))
    password = PasswordField(
        _l("Password (leave empty and one is made for you)"), validators=[Optional(), Length(max=200)]
    )
    email = email_field()
    notify = notify_field()
    active = BooleanField(_l("May log in"))
    # Asked only when a move to another office would end the officer's desa binaan there (`accounts.update`).
    end_assignments = BooleanField(_l("Yes, move them and end these assignments"))

    def narrow(self, roles, offices) -> None:
        self.role.choices = [SelectChoice(r.value, ROLE_LABELS[r.value]) for r in roles]
        self.office.choices = [SelectChoice("", "—")] + [SelectChoice(str(o.id), o.name) for o in offices]


class DesignationForm(FlaskForm):
    """How risky a desa binaan is and why it was chosen."""

    risk_level = SelectField(_l("Risk level"), choices=RISK_LEVEL.choices())
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class NewDesignationForm(DesignationForm):
    """A village made a desa binaan: by which office (one in the user's scope) and since when."""

    office = SelectField(_l("Office"), coerce=int, choices=[])
    designated_on = DateField(_l("Desa binaan since"), default=lambda: clock.today(clock.reader_zone()))


class EndDesignationForm(FlaskForm):
    ended_on = DateField(_l("Ended on"), default=lambda: clock.today(clock.reader_zone()))


class AssignOfficerForm(FlaskForm):
    officer = SelectField(_l("Officer"), coerce=int, choices=[])


def _optional_id(value) -> int | None:
    return None if value in ("", None) else int(value)


class OfficeForm(FlaskForm):
    """An office, the Kanwil it belongs to and the regencies it covers (choices are set from the database)."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("This field is required.")),
            Length(max=40),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and dashes only.")
            ),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("This field is required.")), Length(max=120)])
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(OfficeKind.kanwil.value, _l("Kanwil (regional office)")),
            SelectChoice(OfficeKind.kanim.value, _l("Kanim (immigration office)")),
        ],
    )
    parent = SelectField(_l("Kanwil it belongs to (a Kanim only)"), coerce=_optional_id, choices=[])
    # Its days, "today" and the times its users read (`outreach.clock`); a new office starts in the default, a
    # form sent without it keeps the office's. `offices.save` refuses a zone that is not Indonesia's.
    timezone = SelectField(
        _l("Time zone"),
        choices=TIME_ZONE.choices(),
        coerce=lambda value: value or None,
        validate_choice=False,
    )
    regencies = SelectMultipleField(
        _l("Regencies it covers"),
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
