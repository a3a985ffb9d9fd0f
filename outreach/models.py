"""The program's records: regions, offices, desa binaan, people and what officers do in the field."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import Model, db

# The largest value of an Integer column on both databases (PostgreSQL's int4): row ids and revisions.
MAX_INTEGER = 2**31 - 1


def row_id(text: str) -> int:
    """A row id or revision from an address or a query string; ValueError when it is not one, or is past what
    the databases hold (a 20-digit number would otherwise overflow the query)."""
    number = int(text)
    if not -MAX_INTEGER <= number <= MAX_INTEGER:
        raise ValueError(text)
    return number


def utcnow() -> datetime:
    """Return the current time in UTC without tzinfo, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso_utc(moment: datetime) -> str:
    """Return a stored (naive UTC) timestamp as ISO 8601 with a Z."""
    return moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


class RegionLevel(str, enum.Enum):
    nation = "nation"  # the national root, never stored: see coverage.national_root
    province = "province"
    regency = "regency"
    district = "district"
    village = "village"


REGION_LEVELS = [level.value for level in RegionLevel if level is not RegionLevel.nation]  # as stored


class Region(Model):
    """A Kemendagri region: province `15`, regency `15.71`, district `15.71.01`, village `15.71.01.1001`."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[RegionLevel] = mapped_column(Enum(RegionLevel, name="region_level", native_enum=False))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)

    parent: Mapped[Region | None] = relationship(remote_side=[code])

    def path(self) -> list[Region]:
        """Return the regions from the province down to this one."""
        chain: list[Region] = []
        region: Region | None = self
        while region is not None:
            chain.append(region)
            region = region.parent
        return list(reversed(chain))


class RegionBoundary(Model):
    """A region's outline for the coverage map (`outreach.boundaries`), keyed by its Kemendagri code; kept apart
    from `Region` so that a boundary file and a region list can be imported in either order.

    `geometry` is the coordinates of a GeoJSON MultiPolygon as JSON text: polygons, each a list of rings (the
    outline, then its holes), each a list of [longitude, latitude] rounded to `boundaries.DECIMALS`."""

    __tablename__ = "region_boundaries"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    level: Mapped[RegionLevel] = mapped_column(Enum(RegionLevel, name="region_level", native_enum=False))
    name: Mapped[str] = mapped_column(String(120))
    geometry: Mapped[str] = mapped_column(Text)


class OfficeKind(str, enum.Enum):
    kanwil = "kanwil"
    kanim = "kanim"


office_regencies = db.Table(
    "office_regencies",
    db.Column("office_id", ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True),
    db.Column("regency_code", ForeignKey("regions.code"), primary_key=True),
)


class Office(Model):
    """The Kanwil (regional office) or a Kanim (immigration office) under it."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OfficeKind] = mapped_column(Enum(OfficeKind, name="office_kind", native_enum=False))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    whatsapp: Mapped[str] = mapped_column(String(60), default="")
    hours: Mapped[str] = mapped_column(String(120), default="")
    verified_on: Mapped[date | None] = mapped_column(Date)
    # The number of the office's SMS gateway phone, in international form ("": none): officers with voice but
    # no data send urgent warnings to it (`outreach.sms`).
    sms_gateway: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # The office's time zone, an IANA name of `vocabulary.TIME_ZONE` (WIB, WITA or WIT): its days, "today" and
    # the times its users read are in it (`outreach.clock`).
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta", server_default="Asia/Jakarta")

    parent: Mapped[Office | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Office]] = relationship(back_populates="parent")
    regencies: Mapped[list[Region]] = relationship(secondary=office_regencies, order_by=Region.code)


class RiskLevel(str, enum.Enum):
    tinggi = "tinggi"
    sedang = "sedang"
    rendah = "rendah"


class DesaBinaan(Model):
    """A village designated for an office's outreach, with how much risk of non-procedural migration it has."""

    __tablename__ = "desa_binaan"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    risk_level: Mapped[RiskLevel] = mapped_column(Enum(RiskLevel, name="risk_level", native_enum=False))
    designated_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    ended_on: Mapped[date | None] = mapped_column(Date)

    village: Mapped[Region] = relationship()
    office: Mapped[Office] = relationship()

    @property
    def active(self) -> bool:
        return self.ended_on is None


class Role(str, enum.Enum):
    officer = "officer"
    manager = "manager"
    admin = "admin"


class User(UserMixin, Model):
    """A person who logs in: a Pimpasa officer, a program manager or an administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, name="user_role", native_enum=False))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Set when someone else chose the password (a manager's reset, a new account): it must be changed at log-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Where a manager's notices of early warnings go (`outreach.notices`); None: nowhere. Kept as typed, compared
    # lower-cased. `notify_urgencies`: the urgencies that notify them, comma separated; None: the default ones.
    email: Mapped[str | None] = mapped_column(String(254))
    notify_urgencies: Mapped[str | None] = mapped_column(String(60))
    # The language the user last chose on their account page: their notices are written in it (None: Indonesian).
    language: Mapped[str | None] = mapped_column(String(5))

    office: Mapped[Office | None] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(back_populates="officer")
    # The log-in this object was loaded through (`outreach.sessions`); Flask-Login keeps its token as the id.
    login = None  # type: LoginSession | None

    def get_id(self) -> str | None:
        return self.login.token if self.login is not None else None

    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Assignment(Model):
    """An officer looks after a desa binaan, from `assigned_on` until `ended_on` (None: still does).

    Taking an officer off a village ends the row rather than deleting it, so the records the officer made there
    before, still waiting on the phone, are accepted when they arrive."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("officer_id", "desa_binaan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    desa_binaan_id: Mapped[int] = mapped_column(ForeignKey("desa_binaan.id"), index=True)
    assigned_on: Mapped[date] = mapped_column(Date, default=date.today)
    ended_on: Mapped[date | None] = mapped_column(Date)

    officer: Mapped[User] = relationship(back_populates="assignments")
    desa_binaan: Mapped[DesaBinaan] = relationship()


class Device(Model):
    """A phone an officer syncs from, with what it last said is still waiting on it."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("officer_id", "device_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(100))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    pending: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_sync: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SyncState(Model):
    """One row holding the server revision: bumped under a row lock, so revisions appear in commit order."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class RecordId(Model):
    """The id of every field record, whatever its type: its primary key makes one id one record in the
    database, not only in a look-up. A void that reached the server before any valid version of its record has
    its id here and its versions in `record_versions`, but no row of its type yet (it is void for good)."""

    __tablename__ = "record_ids"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    officer: Mapped[User] = relationship()


class FieldRecord:
    """What every record an officer makes in the field has: the phone's UUID, who, where, when, and its sync
    bookkeeping. An edit replaces the row's content and keeps the earlier version in `record_versions`; a
    record is never deleted, only voided. Each type names itself in `record_type`, its name on the wire."""

    record_type: ClassVar[str]
    __tablename__: str  # each type's own table
    # The columns besides its count that a type's figures add up (people reached, materials handed out): the
    # period index carries them, so that figures over days read the index alone, never the scattered rows.
    figure_columns: ClassVar[tuple[str, ...]] = ()

    id: Mapped[str] = mapped_column(String(36), ForeignKey("record_ids.id"), primary_key=True)
    # active_history: an edit knows the value it replaces even when it was not loaded, so that the activity
    # per village and month (`outreach.village_activity`) takes out what the record counted before.
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True, active_history=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    voided: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    client_updated_at: Mapped[datetime] = mapped_column(DateTime)
    device_id: Mapped[str] = mapped_column(String(100), default="")
    rev: Mapped[int] = mapped_column(Integer, index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        # Coverage counts the records of a period by village, finds each village's last activity, and counts
        # the activity of each officer and of each office (an admin's over every office, from the period index;
        # a Kanim's or a Kanwil's from the office's own), leaving voids out: each reads only one of these indexes.
        return (
            Index(
                f"ix_{cls.__tablename__}_period",
                "voided",
                "occurred_at",
                "village_code",
                "office_id",
                *cls.figure_columns,
            ),
            Index(f"ix_{cls.__tablename__}_village_activity", "village_code", "voided", "occurred_at"),
            Index(f"ix_{cls.__tablename__}_officer_period", "voided", "occurred_at", "officer_id"),
            Index(f"ix_{cls.__tablename__}_office_period", "office_id", "voided", "occurred_at"),
        )

    @declared_attr
    def officer_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id"), index=True)

    @declared_attr
    def village_code(cls) -> Mapped[str]:
        # indexed first in `village_activity` (`__table_args__`), which serves a search by village as well
        return mapped_column(ForeignKey("regions.code"), active_history=True)

    @declared_attr
    def office_id(cls) -> Mapped[int | None]:
        """The office that had the village as desa binaan when the record was made (`outreach.scope.record_office`):
        whose record it is, wherever its officer works now. None: the village was no desa binaan (admins only)."""
        # indexed with the period (`__table_args__`); active_history as `occurred_at`'s
        return mapped_column(ForeignKey("offices.id"), active_history=True)

    @declared_attr
    def officer(cls) -> Mapped[User]:
        return relationship(User)

    @declared_attr
    def office(cls) -> Mapped[Office | None]:
        return relationship(Office)

    @declared_attr
    def village(cls) -> Mapped[Region]:
        return relationship(Region)

    @declared_attr
    def registration(cls) -> Mapped[RecordId]:
        return relationship(RecordId)

    def __init__(self, **fields: Any):
        """A new record registers its id for its type, unless it is given the registration a void made."""
        super().__init__(**fields)
        if self.registration is None:
            self.registration = RecordId(id=self.id, record_type=self.record_type, officer_id=self.officer_id)
            if self.officer is not None:
                self.registration.officer = self.officer


class Visit(FieldRecord, Model):
    """An officer's visit to a desa binaan."""

    __tablename__ = "visits"
    record_type = "visit"

    purpose: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")


class EducationSession(FieldRecord, Model):
    """An education session (sosialisasi) held in a desa binaan, with who came and who helped."""

    __tablename__ = "education_sessions"
    record_type = "session"
    figure_columns = ("male_under_18", "female_under_18", "male_adult", "female_adult")

    venue: Mapped[str] = mapped_column(String(200))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    male_under_18: Mapped[int] = mapped_column(Integer, default=0, active_history=True)
    female_under_18: Mapped[int] = mapped_column(Integer, default=0, active_history=True)
    male_adult: Mapped[int] = mapped_column(Integer, default=0, active_history=True)
    female_adult: Mapped[int] = mapped_column(Integer, default=0, active_history=True)
    audience_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    materials_used: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    visit_id: Mapped[str | None] = mapped_column(String(36), index=True)


class MaterialKind(str, enum.Enum):
    article = "article"
    leaflet = "leaflet"
    poster = "poster"
    video = "video"


class Material(Model):
    """An item of the guidance catalogue: an article villagers read, a leaflet or poster file, or a video link.

    Officers show it in sessions and hand it out; each save keeps a version (`MaterialVersion`)."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=MaterialKind.article.value)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    summary_id: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    body_id: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    video_url: Mapped[str] = mapped_column(String(500), default="")
    file_name: Mapped[str] = mapped_column(String(200), default="")
    file_type: Mapped[str] = mapped_column(String(100), default="")
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_by: Mapped[str] = mapped_column(String(120), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def text(self, field: str, locale: str) -> str:
        """A field in the reader's language, falling back to Indonesian when there is no English."""
        english: str = getattr(self, f"{field}_en")
        if locale == "en" and english:
            return english
        indonesian: str = getattr(self, f"{field}_id")
        return indonesian

    def title(self, locale: str) -> str:
        return self.text("title", locale)

    def has_language(self, locale: str) -> bool:
        return locale == "id" or bool(self.title_en and self.body_en)


class MaterialVersion(Model):
    """A saved version of a material, to see what changed and restore it."""

    __tablename__ = "material_versions"
    __table_args__ = (UniqueConstraint("material_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    saved_by: Mapped[str] = mapped_column(String(120), default="")


class MaterialProposal(Model):
    """A change to a material that a Kanim manager proposed: the material, and so the public page, keeps its
    published content until a Kanwil manager or an admin publishes the proposal (`outreach.proposals`)."""

    __tablename__ = "material_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    base_version: Mapped[int] = mapped_column(
        Integer
    )  # the material's version the proposal was written against
    snapshot: Mapped[dict[str, Any]] = mapped_column(
        JSON
    )  # the proposed content, as `guidance.snapshot` keeps a version
    file_name: Mapped[str] = mapped_column(String(200), default="")
    file_type: Mapped[str] = mapped_column(String(100), default="")
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int | None] = mapped_column(Integer)  # the material's version it became when published

    material: Mapped[Material] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Contact(Model):
    """A hotline, number or place to report or ask, edited by the office, with the date it was last checked.

    A contact without an office is national or province-wide: only the Kanwil or an admin changes it. One that
    belongs to an office is also changed by that office's managers (`outreach.rights`)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[str] = mapped_column(String(200), default="")
    hours_id: Mapped[str] = mapped_column(String(120), default="")
    hours_en: Mapped[str] = mapped_column(String(120), default="")
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="sebagian")
    source: Mapped[str] = mapped_column(Text, default="")
    verified_on: Mapped[date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)

    office: Mapped[Office | None] = relationship()

    def text(self, field: str, locale: str) -> str:
        english: str = getattr(self, f"{field}_en")
        if locale == "en" and english:
            return english
        indonesian: str = getattr(self, f"{field}_id")
        return indonesian

    @property
    def filled(self) -> bool:
        return bool(self.value.strip())


class Handout(FieldRecord, Model):
    """Materials handed out in a desa binaan."""

    __tablename__ = "handouts"
    record_type = "handout"
    figure_columns = ("quantity",)

    material_slug: Mapped[str] = mapped_column(ForeignKey("materials.slug"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, active_history=True)
    format: Mapped[str] = mapped_column(String(20))
    recipient_group: Mapped[str] = mapped_column(String(40))
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)

    material: Mapped[Material] = relationship()


class EarlyWarning(FieldRecord, Model):
    """An early warning (peringatan dini) of trafficking or non-procedural migration, seen or heard in a village.

    What the officer reported lives here; what the office does about it lives in `WarningFollowUp`.
    """

    __tablename__ = "early_warnings"
    record_type = "warning"

    category: Mapped[str] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(Text)
    people_involved: Mapped[str] = mapped_column(Text, default="")
    # How many people are at risk (0: not counted): what an SMS of the warning carries, without their names.
    people_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    source: Mapped[str] = mapped_column(String(40))
    # When the warning first reached the server as an SMS (`outreach.sms`), its details following by sync;
    # None: it came by sync only.
    sms_received_at: Mapped[datetime | None] = mapped_column(DateTime)

    follow_up: Mapped[WarningFollowUp | None] = relationship(back_populates="warning", uselist=False)


class VillageActivity(Model):
    """What the visits, sessions and hand-outs of a village that belong to an office (None: to no office) added
    up to in a UTC calendar month (`month`: its first day), voided records left out: the figures of long periods
    read these rows rather than every record (`outreach.village_activity` keeps them right on every write).

    Its key (village, month, office) is a unique index rather than the primary key, as the office may be None: the
    rows of no office are never merged, and add up all the same."""

    __tablename__ = "village_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    month: Mapped[date] = mapped_column(Date)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)
    people_male: Mapped[int] = mapped_column(Integer, default=0)
    people_female: Mapped[int] = mapped_column(Integer, default=0)
    people_under_18: Mapped[int] = mapped_column(Integer, default=0)
    materials: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        # The key the upserts name; a village's months, for a few villages.
        Index("ux_village_activity_key", "village_code", "month", "office_id", unique=True),
        # Every village's months (an admin's national figures), and an office's (its activity chart).
        Index("ix_village_activity_month", "month", "office_id"),
        Index("ix_village_activity_office", "office_id", "month"),
    )


class OfficeActivity(Model):
    """The visits and sessions (the types that count for coverage) of an office's records on a UTC day, voided
    ones left out: the activity chart reads a row per office and day rather than every record
    (`outreach.village_activity` keeps them right with the activity per village and month). A record of no
    office is in no chart, and in no row here."""

    __tablename__ = "office_activity"
    # every office's days (an admin's chart); one office's are its primary key's
    __table_args__ = (Index("ix_office_activity_day", "day", "office_id"),)

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=0)


class WarningFollowUp(Model):
    """The office's follow-up of an early warning: its own row, so it never conflicts with the officer's edits."""

    __tablename__ = "warning_follow_ups"

    warning_id: Mapped[str] = mapped_column(ForeignKey("early_warnings.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="new")
    note: Mapped[str] = mapped_column(Text, default="")
    referred_to: Mapped[str] = mapped_column(String(40), default="")
    responsible: Mapped[str] = mapped_column(String(120), default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rev: Mapped[int] = mapped_column(Integer, index=True)

    warning: Mapped[EarlyWarning] = relationship(back_populates="follow_up")


class RecordVersion(Model):
    """Every version of a field record the server received, the current one and those a later edit replaced."""

    __tablename__ = "record_versions"
    # the unique key is also the index of a record's versions
    __table_args__ = (UniqueConstraint("record_id", "client_updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    client_updated_at: Mapped[datetime] = mapped_column(DateTime)
    device_id: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Set when a manager brought this version in from an exported file rather than the phone sending it.
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), index=True)


class Photo(Model):
    """A photo of a session or its attendance sheet, shrunk on the phone and uploaded after its record."""

    __tablename__ = "photos"
    __table_args__ = (UniqueConstraint("record_id", "sha256"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20), default="session")
    content_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Model):
    """One change an office user made: who, when, to what, and the values before and after.

    Written by `outreach.audit` in the same transaction as the change itself."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LoginAttempt(Model):
    """A log-in try inside the throttle's window (`outreach.throttle`): written before its password is checked,
    kept when the password was wrong, cleared by a log-in to the same account that succeeds. In the database,
    not in a worker's memory, so that every worker counts the same tries."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class LoginSession(Model):
    """One signed-in device: made at log-in, ended by log-out, a password change or reset, deactivation, or
    someone signing it out (a lost phone). The browser holds a random token; only its hash is kept here, so a
    copy of this table lets nobody in (`outreach.sessions`)."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(32))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
    # The raw token, known only in the request that made the session or presented it.
    token = None  # type: str | None
    # Whether this request moved the session's end (`sessions.resume`): its cookie must move too.
    moved = False


class Import(Model):
    """A file of an officer's records that a manager brought in (`outreach.imports`): who, when, which file (its
    SHA-256), whose records, and what became of them. Each record version it stored points here."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(100), default="")
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)

    imported_by: Mapped[User] = relationship(foreign_keys=[imported_by_id])
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])


class Notice(Model):
    """A message telling a manager an early warning arrived (`reason` new) or waited unopened past its deadline
    (escalated), in the outbox until it is sent (`outreach.notices`). It names no one: only the warning's link,
    urgency, village and category go out."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("user_id", "warning_id", "channel", "reason"),
        Index("ix_notices_due", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    warning_id: Mapped[str] = mapped_column(ForeignKey("early_warnings.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")  # email, push (`notices.CHANNELS`)
    reason: Mapped[str] = mapped_column(String(10), default="new")
    # pending (waiting or retried), sending (claimed by a sender), sent, failed (given up)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_try_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class WarningOpening(Model):
    """Who of the office first opened an early warning's page, and when: a warning nobody opened in time is
    escalated (`outreach.notices`)."""

    __tablename__ = "warning_openings"

    warning_id: Mapped[str] = mapped_column(ForeignKey("early_warnings.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class WarningEscalation(Model):
    """A warning escalated to the Kanwil: its primary key makes it once, whichever sender got there first."""

    __tablename__ = "warning_escalations"

    warning_id: Mapped[str] = mapped_column(ForeignKey("early_warnings.id"), primary_key=True)
    escalated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PushSubscription(Model):
    """A browser a manager turned on the notices of early warnings in (Web Push, `outreach.push`): the address
    its push service takes messages at, and the keys that encrypt a message for that browser alone. Removed
    when the manager turns it off, or when the push service says the browser is gone (404 or 410)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    # The browser, as its User-Agent named it when it subscribed: for the manager's list of their browsers.
    device: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()
