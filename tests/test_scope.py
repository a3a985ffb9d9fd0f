"""A Kanim manager never sees another Kanim's data: not in pages, downloads, images or the JSON. The Kanwil
manager, over both, sees it everywhere (which shows each check below can fail)."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from outreach.extensions import db
from outreach.models import EarlyWarning, EducationSession, Handout, Office, Photo, Region, User
from tests.conftest import Auth, make_user, today
from tests.test_coverage import add, area  # noqa: F401  (the fixture)

BUNGO_MARKS = ("Tanah Tumbuh", "Citra", "Kabupaten Bungo", "Kanim Bungo")
PAGES = [
    "/kelola/?period=90",
    "/kelola/peta.svg?period=90",
    "/kelola/petugas",
    "/kelola/aktivitas.svg?period=90",
    "/kelola/peringatan",
    "/kelola/sosialisasi",
    "/kelola/pengguna",
    "/kelola/laporan",
    *(
        f"/kelola/ekspor/{kind}.{fmt}?period=90"
        for kind in ("visit", "session", "handout", "warning")
        for fmt in ("csv", "xlsx")
    ),
]


@pytest.fixture
def both_kanim(app, world, area):  # noqa: F811
    """Citra (Kanim Bungo) has done one of everything in Tanah Tumbuh; a Kanwil manager oversees both Kanim."""
    with app.app_context():
        tanah_tumbuh = db.session.get(Region, "15.08.01.2001")
        tanah_tumbuh.lat, tanah_tumbuh.lng = -1.43, 102.05
        for model, fields in [
            (
                EducationSession,
                {
                    "venue": "Balai",
                    "topics": [],
                    "audience_groups": [],
                    "partners": [],
                    "materials_used": "",
                    "notes": "",
                },
            ),
            (
                Handout,
                {
                    "material_slug": "kenali-tppo",
                    "quantity": 5,
                    "format": "printed",
                    "recipient_group": "students",
                },
            ),
            (
                EarlyWarning,
                {
                    "category": "recruiter",
                    "urgency": "segera",
                    "description": "z",
                    "people_involved": "",
                    "source": "villager",
                },
            ),
        ]:
            add(model, world.citra, "15.08.01.2001", **fields)
        db.session.flush()
        session_id = db.session.scalar(
            select(EducationSession.id).where(EducationSession.officer_id == world.citra)
        )
        db.session.add(
            Photo(
                id="00000000-0000-4000-8000-00000000f070",
                record_type="session",
                record_id=session_id,
                officer_id=world.citra,
                content_type="image/jpeg",
                sha256="0" * 64,
                size=3,
                data=b"jpg",
            )
        )
        make_user("wulan", "manager", db.session.scalar(select(Office).where(Office.code == "kanwil-jambi")))
        db.session.commit()
        return session_id


def text_of(response) -> str:
    if response.mimetype.endswith("sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_a_kanim_manager_sees_nothing_of_another_kanim(app, world, both_kanim, path):
    kanim, kanwil = Auth(app.test_client()), Auth(app.test_client())
    kanim.login("maya")
    kanwil.login("wulan")
    mine, theirs = kanim.client.get(path), kanwil.client.get(path)
    assert mine.status_code == theirs.status_code == 200
    assert not [mark for mark in BUNGO_MARKS if mark in text_of(mine)]
    assert [mark for mark in BUNGO_MARKS if mark in text_of(theirs)]


def test_the_coverage_json_and_table_count_no_desa_binaan_of_another_kanim(app, world, both_kanim):
    kanim, kanwil = Auth(app.test_client()), Auth(app.test_client())
    kanim.login("maya")
    kanwil.login("wulan")
    for who, expected in ((kanim, 0), (kanwil, 1)):
        rows = {row["code"]: row for row in who.client.get("/api/v1/coverage?region=15").get_json()["rows"]}
        assert rows["15.08"]["desa_binaan"] == expected
        table = who.client.get("/kelola/ekspor/cakupan.csv?region=15").get_data(as_text=True)
        assert next(line for line in table.splitlines() if line.startswith("15.08,")).split(",")[2] == str(
            expected
        )


def test_another_kanims_village_warning_photo_and_officer_are_not_found(app, world, both_kanim):
    with app.app_context():
        warning = db.session.scalar(select(EarlyWarning.id).where(EarlyWarning.officer_id == world.citra))
        photo = db.session.scalar(select(Photo.id))
        citra = db.session.get(User, world.citra).id
        bungo = db.session.scalar(select(Office.id).where(Office.code == "kanim-bungo"))
    kanim, kanwil = Auth(app.test_client()), Auth(app.test_client())
    kanim.login("maya")
    kanwil.login("wulan")
    for path in (
        "/kelola/desa/15.08.01.2001",
        f"/kelola/peringatan/{warning}",
        f"/kelola/foto/{photo}",
        f"/kelola/pengguna/{citra}",
        f"/kelola/laporan/{bungo}/{today():%Y-%m}",
        f"/kelola/laporan/{bungo}/{today():%Y-%m}/petugas.xlsx",
    ):
        assert kanim.client.get(path).status_code == 404, path
        assert kanwil.client.get(path).status_code == 200, path
    # The offices are public (/kantor): another office's details page is refused, not hidden.
    assert kanim.client.get(f"/kelola/kantor/{bungo}").status_code == 403
    assert kanwil.client.get(f"/kelola/kantor/{bungo}").status_code == 200
