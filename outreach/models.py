"""The program's records: regions, offices, desa binaan, people and what officers do in the field."""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def utcnow() -> datetime:
    """Return the current time in UTC without tzinfo, the form every timestamp is stored in."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso_utc(moment: datetime) -> str:
    """Return a stored (naive UTC) timestamp as ISO 8601 with a Z."""
    return moment.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


class RegionLevel(str, enum.Enum):
    province = "province"
    regency = "regency"
    district = "district"
    village = "village"


REGION_LEVELS = [level.value for level in RegionLevel]


class Region(db.Model):
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
        chain, region = [], self
        while region is not None:
            chain.append(region)
            region = region.parent
        return list(reversed(chain))


class OfficeKind(str, enum.Enum):
    kanwil = "kanwil"
    kanim = "kanim"


office_regencies = db.Table(
    "office_regencies",
    db.Column("office_id", ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True),
    db.Column("regency_code", ForeignKey("regions.code"), primary_key=True),
)


class Office(db.Model):
    """The Kanwil (regional office) or a Kanim (immigration office) under it."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OfficeKind] = mapped_column(Enum(OfficeKind, name="office_kind", native_enum=False))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))

    parent: Mapped[Office | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Office]] = relationship(back_populates="parent")
    regencies: Mapped[list[Region]] = relationship(secondary=office_regencies, order_by=Region.code)


class RiskLevel(str, enum.Enum):
    tinggi = "tinggi"
    sedang = "sedang"
    rendah = "rendah"


class DesaBinaan(db.Model):
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


class User(UserMixin, db.Model):
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

    office: Mapped[Office | None] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(back_populates="officer")

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


class Assignment(db.Model):
    """An officer looks after a desa binaan."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("officer_id", "desa_binaan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    desa_binaan_id: Mapped[int] = mapped_column(ForeignKey("desa_binaan.id"), index=True)
    assigned_on: Mapped[date] = mapped_column(Date, default=date.today)

    officer: Mapped[User] = relationship(back_populates="assignments")
    desa_binaan: Mapped[DesaBinaan] = relationship()


class SyncState(db.Model):
    """One row holding the server revision: bumped under a row lock, so revisions appear in commit order."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class Visit(db.Model):
    """An officer's visit to a desa binaan, made on the phone (its id is the phone's UUID)."""

    __tablename__ = "visits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    purpose: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    client_updated_at: Mapped[datetime] = mapped_column(DateTime)
    device_id: Mapped[str] = mapped_column(String(100), default="")
    rev: Mapped[int] = mapped_column(Integer, index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    officer: Mapped[User] = relationship()
    village: Mapped[Region] = relationship()
