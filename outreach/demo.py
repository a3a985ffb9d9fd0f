"""A ready database for trying the app: the offices of Jambi, desa binaan, people and some past activity."""

from __future__ import annotations

import io
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import IO, Any

from sqlalchemy import select

from . import boundaries, guidance, revisions
from .extensions import DbSession, db
from .models import (
    Assignment,
    DesaBinaan,
    EarlyWarning,
    EducationSession,
    FieldRecord,
    Handout,
    Office,
    OfficeKind,
    Region,
    RegionLevel,
    RiskLevel,
    Role,
    SyncState,
    User,
    Visit,
    utcnow,
)
from .regions import ImportReport, import_regions
from .vocabulary import URGENCY

# The Kanwil and its four Kanim, with the regencies each Kanim covers (Kemendagri codes).
JAMBI_OFFICES = [
    ("kanim-jambi", "Kantor Imigrasi Kelas I TPI Jambi", ["15.71", "15.05", "15.04", "15.07"]),
    ("kanim-kuala-tungkal", "Kantor Imigrasi Kelas II TPI Kuala Tungkal", ["15.06"]),
    ("kanim-kerinci", "Kantor Imigrasi Kelas II Non TPI Kerinci", ["15.01", "15.72"]),
    ("kanim-bungo", "Kantor Imigrasi Kelas II Non TPI Bungo", ["15.08", "15.09", "15.02", "15.03"]),
]
KANWIL = ("kanwil-jambi", "Kantor Wilayah Direktorat Jenderal Imigrasi Jambi")
# Jambi keeps western Indonesia time (WIB), whatever the installation's default.
JAMBI_ZONE = "Asia/Jakarta"
OFFICER_NAMES = [
    "Rina Marlina",
    "Agus Saputra",
    "Dewi Lestari",
    "Budi Hartono",
    "Siti Aminah",
    "Hendra Gunawan",
    "Yulia Rahmawati",
    "Fajar Nugroho",
]
REASONS = [
    "Kantong PMI non-prosedural; beberapa warga berangkat dengan visa kunjungan.",
    "Laporan perekrut tidak resmi (calo) yang menawarkan kerja ke Malaysia.",
    "Banyak warga usia muda mencari kerja ke luar negeri.",
]
PURPOSES = [
    "Koordinasi dengan kepala desa",
    "Pemantauan warga yang akan berangkat kerja",
    "Tindak lanjut peringatan dini",
    "Pertemuan dengan keluarga PMI",
]
# Guidance articles shipped with the app that demo officers hand out.
HANDOUT_SLUGS = [
    "kenali-tppo",
    "tanda-lowongan-palsu",
    "langkah-pmi-resmi",
    "paspor-m-paspor",
    "ke-mana-melapor",
]
DESA_PER_REGENCY = 3
VISITS_PER_OFFICER = 8
SESSIONS_PER_OFFICER = 3
HANDOUTS_PER_OFFICER = 3
WARNINGS_PER_OFFICER = 1


@dataclass
class Account:
    username: str
    role: str
    office: str
    password: str


def jambi_regions() -> IO[str]:
    """The full Kemendagri list of Jambi shipped in the package (1,741 regions; see data/SOURCES.md)."""
    data = resources.files("outreach").joinpath("data/jambi_regions.csv").open("rb")
    return io.TextIOWrapper(data, encoding="utf-8", newline="")


def jambi_boundaries() -> IO[bytes]:
    """The outlines of Jambi's province, regencies and districts shipped in the package (see data/SOURCES.md)."""
    return resources.files("outreach").joinpath("data/jambi_boundaries.geojson").open("rb")


def clear(session: DbSession) -> None:
    """Delete every row of every table, children first. The revision counter keeps counting up, so phones
    that synced before never see a revision number again."""
    for table in reversed(db.metadata.sorted_tables):
        if table is not SyncState.__table__:
            session.execute(table.delete())


def build(
    session: DbSession, *, regions: IO[str], password: str | None, seed: int = 2026
) -> tuple[ImportReport, list[Account]]:
    """Fill an empty database (the regions given, the outlines of Jambi shipped with the app, offices, people,
    past activity); return the region import report and the accounts made. The caller commits."""
    rng = random.Random(seed)
    report = import_regions(session, regions)
    with jambi_boundaries() as outlines:
        boundaries.import_boundaries(session, outlines)
    session.flush()
    accounts: list[Account] = []

    def person(username: str, name: str, role: Role, office: Office | None) -> User:
        secret = password or secrets.token_urlsafe(9)
        user = User(username=username, full_name=name, role=role, office=office, active=True)
        user.set_password(secret)
        session.add(user)
        accounts.append(Account(username, role.value, office.code if office else "-", secret))
        return user

    guidance.load(session, by=guidance.EXAMPLES, publish=True)
    kanwil = Office(code=KANWIL[0], name=KANWIL[1], kind=OfficeKind.kanwil, timezone=JAMBI_ZONE)
    session.add(kanwil)
    person("admin", "Administrator", Role.admin, None)
    person(
        "manajer.kanwil", "Manajer Kanwil Jambi", Role.manager, kanwil
    ).email = "manajer.kanwil@example.org"
    names = iter(OFFICER_NAMES)
    today = date.today()
    for code, name, regency_codes in JAMBI_OFFICES:
        regencies = list(session.scalars(select(Region).where(Region.code.in_(regency_codes))))
        office = Office(
            code=code,
            name=name,
            kind=OfficeKind.kanim,
            parent=kanwil,
            regencies=regencies,
            timezone=JAMBI_ZONE,
        )
        session.add(office)
        short = code.removeprefix("kanim-").replace("-", "")
        person(
            f"manajer.{short}", f"Manajer {name}", Role.manager, office
        ).email = f"manajer.{short}@example.org"
        officers = [person(f"petugas.{short}{n}", next(names), Role.officer, office) for n in (1, 2)]
        desa_list = []
        for regency in regencies:
            villages = list(
                session.scalars(
                    select(Region)
                    .where(Region.level == RegionLevel.village, Region.code.startswith(regency.code + "."))
                    .order_by(Region.code)
                )
            )
            for village in rng.sample(villages, min(DESA_PER_REGENCY, len(villages))):
                desa = DesaBinaan(
                    village=village,
                    office=office,
                    risk_level=rng.choice(list(RiskLevel)),
                    designated_on=today - timedelta(days=rng.randint(120, 700)),
                    reason=rng.choice(REASONS),
                )
                session.add(desa)
                desa_list.append(desa)
        session.flush()
        for i, desa in enumerate(desa_list):
            session.add(
                Assignment(
                    officer=officers[i % len(officers)], desa_binaan=desa, assigned_on=desa.designated_on
                )
            )
        session.flush()
        for officer in officers:
            mine = [desa for i, desa in enumerate(desa_list) if officers[i % len(officers)] is officer]
            if not mine:
                continue
            for _ in range(VISITS_PER_OFFICER):
                _past(session, rng, Visit, officer, rng.choice(mine), purpose=rng.choice(PURPOSES), notes="")
            for _ in range(SESSIONS_PER_OFFICER):
                _past(
                    session,
                    rng,
                    EducationSession,
                    officer,
                    rng.choice(mine),
                    venue="Balai desa",
                    topics=rng.sample(["tppo", "safe_migration", "passports"], 2),
                    male_under_18=rng.randint(0, 10),
                    female_under_18=rng.randint(0, 10),
                    male_adult=rng.randint(5, 30),
                    female_adult=rng.randint(5, 30),
                    audience_groups=["village_officials", "prospective_migrants"],
                    partners=["village_government"],
                    materials_used="",
                    notes="",
                )
            for _ in range(HANDOUTS_PER_OFFICER):
                _past(
                    session,
                    rng,
                    Handout,
                    officer,
                    rng.choice(mine),
                    material_slug=rng.choice(HANDOUT_SLUGS),
                    quantity=rng.randint(10, 60),
                    format="printed",
                    recipient_group="prospective_migrants",
                )
            for _ in range(WARNINGS_PER_OFFICER):
                _past(
                    session,
                    rng,
                    EarlyWarning,
                    officer,
                    rng.choice(mine),
                    category="recruiter",
                    urgency=rng.choice(URGENCY.values),
                    description="Seorang perekrut menawarkan kerja ke Malaysia tanpa kontrak kepada beberapa pemuda.",
                    people_involved="",
                    source="villager",
                )
    return report, accounts


def _past(
    session: DbSession,
    rng: random.Random,
    model: type[FieldRecord],
    officer: User,
    desa: DesaBinaan,
    **fields: Any,
) -> None:
    """A record that reached the server some time in the last four months."""
    occurred = utcnow() - timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 8))
    session.add(
        model(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            officer=officer,
            village_code=desa.village_code,
            occurred_at=occurred,
            client_updated_at=occurred,
            device_id="demo",
            rev=revisions.next_revision(session),
            version=1,
            voided=False,
            received_at=min(occurred + timedelta(hours=rng.randint(1, 72)), utcnow()),
            **fields,
        )
    )
