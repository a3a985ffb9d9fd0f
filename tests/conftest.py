"""Fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL when DATABASE_URL is set)."""

import os
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from outreach import create_app, guidance
from outreach.config import database_url
from outreach.extensions import db
from outreach.models import (
    Assignment,
    Contact,
    DesaBinaan,
    Material,
    Office,
    OfficeKind,
    Region,
    RegionLevel,
    RiskLevel,
    Role,
    SyncState,
    User,
)

PASSWORD = "rahasia-123"
PASSWORD_HASH = generate_password_hash(PASSWORD)  # hashed once: a real hash, without its cost in every test
JAMBI_REGIONS = str(resources.files("outreach") / "data" / "jambi_regions.csv")  # shipped in the package


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """Build the schema once with the migrations; tests then only clear rows."""
    if os.environ.get("DATABASE_URL"):
        uri = database_url("unused")
        engine = create_engine(uri)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        uri = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return uri


@pytest.fixture
def app(database_uri, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "SECRET_KEY": "test-secret"})
    with app.app_context():
        clear_rows()
    yield app
    # The notices' background sender of a live server or a request would otherwise go on polling the shared test
    # database for the rest of the session, and send a later test's notices before that test could.
    sender = app.extensions.get("notices")
    if sender is not None:
        sender.stop()
    with app.app_context():
        db.engine.dispose()


def clear_rows():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.add(SyncState(id=1, revision=0))
    db.session.commit()


@pytest.fixture
def ctx(app):
    """An app context for tests that use the database directly (requests push their own)."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(username, role, office=None, password=PASSWORD, active=True):
    user = User(username=username, full_name=username.title(), role=Role(role), office=office, active=active)
    user.password_hash = PASSWORD_HASH if password == PASSWORD else generate_password_hash(password)
    db.session.add(user)
    return user


@pytest.fixture
def world(app):
    """A Kanwil and two Kanim; Kota Jambi with four villages, three of them desa binaan; officers and managers.

    ani looks after Sungai Putri and Legok; budi after Solok Sipin; Kasang (a desa binaan) has no officer; Murni is
    not a desa binaan at all. citra is an officer of the other Kanim. Answers the ids of what it made.
    """
    with app.app_context():
        return _build_world()


def _build_world():
    regions = [
        Region(code="15", name="Jambi", level=RegionLevel.province, lat=-1.6, lng=102.7),
        Region(code="15.71", name="Kota Jambi", level=RegionLevel.regency, parent_code="15"),
        Region(code="15.71.01", name="Kota Baru", level=RegionLevel.district, parent_code="15.71"),
        Region(
            code="15.71.01.1001",
            name="Sungai Putri",
            level=RegionLevel.village,
            parent_code="15.71.01",
            lat=-1.61,
            lng=103.6,
        ),
        Region(code="15.71.01.1002", name="Legok", level=RegionLevel.village, parent_code="15.71.01"),
        Region(code="15.71.01.1003", name="Solok Sipin", level=RegionLevel.village, parent_code="15.71.01"),
        Region(code="15.71.01.1004", name="Kasang", level=RegionLevel.village, parent_code="15.71.01"),
        Region(code="15.71.01.1005", name="Murni", level=RegionLevel.village, parent_code="15.71.01"),
    ]
    db.session.add_all(regions)
    db.session.flush()
    kanwil = Office(code="kanwil-jambi", name="Kanwil Jambi", kind=OfficeKind.kanwil)
    kanim = Office(
        code="kanim-jambi", name="Kanim Jambi", kind=OfficeKind.kanim, parent=kanwil, regencies=[regions[1]]
    )
    other = Office(code="kanim-bungo", name="Kanim Bungo", kind=OfficeKind.kanim, parent=kanwil)
    db.session.add_all([kanwil, kanim, other])
    db.session.add_all(
        [
            Material(
                slug="kenali-tppo",
                title_id="Kenali TPPO",
                title_en="Know TPPO",
                kind="article",
                topics=["tppo"],
                body_id="## Apa itu TPPO\n\nPerdagangan orang.",
            ),
            Material(slug="lama", title_id="Brosur lama", kind="leaflet", published=False),
        ]
    )
    desa = {
        code: DesaBinaan(
            village_code=code, office=kanim, risk_level=RiskLevel.tinggi, designated_on=date(2025, 1, 6)
        )
        for code in ("15.71.01.1001", "15.71.01.1002", "15.71.01.1003", "15.71.01.1004")
    }
    db.session.add_all(desa.values())
    ani = make_user("ani", "officer", kanim)
    budi = make_user("budi", "officer", kanim)
    citra = make_user("citra", "officer", other)
    manager = make_user("maya", "manager", kanim)
    admin = make_user("root", "admin")
    db.session.add_all(
        [
            Assignment(officer=ani, desa_binaan=desa["15.71.01.1001"]),
            Assignment(officer=ani, desa_binaan=desa["15.71.01.1002"]),
            Assignment(officer=budi, desa_binaan=desa["15.71.01.1003"]),
        ]
    )
    db.session.commit()
    ids = SimpleNamespace(
        ani=ani.id,
        budi=budi.id,
        citra=citra.id,
        manager=manager.id,
        admin=admin.id,
        kanim=kanim.id,
        desa={code: d.id for code, d in desa.items()},
    )
    return ids


def today() -> date:
    """Today where the program works (its time zone, WIB by default), as the app counts days."""
    return datetime.now(ZoneInfo(os.environ.get("TIMEZONE", "Asia/Jakarta"))).date()


def earlier_today() -> datetime:
    """A moment before now that is still today where the program works, even just after midnight there."""
    now = datetime.now(ZoneInfo(os.environ.get("TIMEZONE", "Asia/Jakarta")))
    return max(now - timedelta(hours=2), now.replace(hour=0, minute=0, second=0, microsecond=0))


def visit_record(village="15.71.01.1001", **overrides):
    """A visit as the phone sends it."""
    now = datetime.now(UTC)
    record = {
        "id": str(uuid.uuid4()),
        "type": "visit",
        "data": {
            "village": village,
            "occurred_at": (now - timedelta(hours=2)).isoformat(),
            "purpose": "Koordinasi dengan kepala desa",
            "notes": "Bertemu sekretaris desa.",
            "lat": -1.61,
            "lng": 103.6,
            "accuracy": 12.5,
        },
        "updated_at": now.isoformat(),
    }
    record.update(overrides)
    return record


def form_token(client, path):
    """The CSRF token of the form on a page, as a browser would send it back."""
    return re.search(
        r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(path).get_data(as_text=True)
    ).group(1)


class Auth:
    """Log a test client in and out through the real pages, and fetch the API's CSRF token."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD):
        page = self.client.get("/masuk").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return self.client.post(
            "/masuk", data={"csrf_token": token, "username": username, "password": password}
        )

    def submit(self, path, data, *, form_page=None):
        """Post a form the way the page holding it would, with its CSRF token."""
        return self.client.post(path, data={"csrf_token": form_token(self.client, form_page or path), **data})

    def token(self):
        return self.client.get("/api/v1/me").get_json()["csrf_token"]

    def push(self, records, device_id="phone-1"):
        return self.client.post(
            "/api/v1/sync",
            json={"device_id": device_id, "records": records},
            headers={"X-CSRFToken": self.token()},
        )


@pytest.fixture
def auth(client):
    return Auth(client)


BODY_ID = """## Tanda bahaya

Gaji **sangat tinggi** tanpa kontrak.

- Diminta biaya pendaftaran
- Berangkat dengan visa turis

Baca [halaman Kontak](/kontak).
"""


@pytest.fixture
def library(app):
    """A published article with its sources, a draft, a verified hotline and one the program must fill in;
    the article's id."""
    with app.app_context():
        article = Material(
            slug="tanda-lowongan-palsu",
            kind="article",
            topics=["tppo", "safe_migration"],
            published=True,
            title_id="Tanda Lowongan Kerja Palsu",
            title_en="Signs of a fake job offer",
            summary_id="Kenali ciri lowongan palsu.",
            summary_en="Know the signs of a fake offer.",
            body_id=BODY_ID,
            body_en="## Danger signs\n\nA **very high** salary with no contract.\n",
            sources=[
                {
                    "fact": "Ciri lowongan palsu",
                    "fact_en": "Signs of a fake offer",
                    "source": "money.kompas.com (28 Agu 2022)",
                    "status": "terverifikasi",
                }
            ],
        )
        draft = Material(
            slug="draf",
            kind="article",
            topics=["tppo"],
            published=False,
            title_id="Draf rahasia",
            body_id="Belum terbit",
        )
        guidance.save(db.session, article, by="test")
        guidance.save(db.session, draft, by="test")
        db.session.add(
            Contact(
                key="polri-110",
                kind="hotline",
                name_id="Call Center Polri 110",
                value="110",
                status="terverifikasi",
                description_id="Gratis, 24 jam.",
            )
        )
        db.session.add(
            Contact(
                key="pimpasa-desa",
                kind="whatsapp",
                name_id="Pimpasa desa Anda",
                value="",
                status="isi-oleh-program",
            )
        )
        db.session.commit()
        return article.id
