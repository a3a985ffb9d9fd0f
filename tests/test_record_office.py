"""A record belongs to the office that had its village as desa binaan when it was made, whoever made it and
wherever that officer works now: moving an officer to another Kanim takes none of her earlier warnings, photos
or export rows with her, and ends her assignments at the old Kanim once the manager confirms it."""

from datetime import date, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from outreach import reports, scope
from outreach.extensions import db
from outreach.models import (
    Assignment,
    DesaBinaan,
    EarlyWarning,
    EducationSession,
    Office,
    Photo,
    Region,
    RegionLevel,
    RiskLevel,
    User,
    Visit,
)
from tests.conftest import Auth, make_user, today, visit_record
from tests.test_manage import exported, send_file
from tests.test_migrations import add_officer_ani, fresh_app  # noqa: F401  (the fixture)
from tests.test_photos import JPEG, upload
from tests.test_record_types import session_record, warning_record
from tests.test_scope import text_of

PEOPLE = "Pak Rahmat, perekrut dari Batam"
VENUE = "Balai Sungai Putri"
TANAH_TUMBUH = "15.08.01.2001"


def office_id(code):
    return db.session.scalar(select(Office.id).where(Office.code == code))


def logged_in(app, username):
    auth = Auth(app.test_client())
    auth.client.set_cookie("lang", "en")
    auth.login(username)
    return auth


@pytest.fixture
def before_move(app, world):
    """Ani (Kanim Jambi) reported a warning naming people and held a session with a photo in Sungai Putri; Kanim
    Bungo has Tanah Tumbuh as desa binaan and bayu as manager; wulan manages the Kanwil over both."""
    with app.app_context():
        db.session.add_all(
            [
                Region(code="15.08", name="Kabupaten Bungo", level=RegionLevel.regency, parent_code="15"),
                Region(code="15.08.01", name="Tanah Tumbuh", level=RegionLevel.district, parent_code="15.08"),
                Region(
                    code=TANAH_TUMBUH, name="Tanah Tumbuh", level=RegionLevel.village, parent_code="15.08.01"
                ),
            ]
        )
        db.session.flush()
        bungo = db.session.scalar(select(Office).where(Office.code == "kanim-bungo"))
        db.session.add(
            DesaBinaan(
                village_code=TANAH_TUMBUH,
                office=bungo,
                risk_level=RiskLevel.tinggi,
                designated_on=date(2025, 1, 6),
            )
        )
        make_user("bayu", "manager", bungo)
        make_user("wulan", "manager", db.session.scalar(select(Office).where(Office.code == "kanwil-jambi")))
        db.session.commit()
    phone = logged_in(app, "ani")
    warning, session = warning_record(people_involved=PEOPLE), session_record(venue=VENUE)
    assert [r["status"] for r in phone.push([warning, session]).get_json()["results"]] == [
        "accepted",
        "accepted",
    ]
    photo = upload(phone.client, phone, session["id"], JPEG).get_json()["id"]
    return {"warning": warning["id"], "session": session["id"], "photo": photo, "phone": phone}


def move_ani_to_bungo(app, world, **extra):
    with app.app_context():
        bungo = office_id("kanim-bungo")
    wulan = logged_in(app, "wulan")
    return wulan.submit(
        f"/kelola/pengguna/{world.ani}",
        {"full_name": "Ani", "role": "officer", "office": str(bungo), "active": "y", **extra},
    )


@pytest.fixture
def moved(app, world, before_move):
    assert move_ani_to_bungo(app, world, end_assignments="y").status_code == 302
    return before_move


def test_moving_an_officer_says_which_assignments_it_ends_and_ends_them_only_once_confirmed(
    app, world, before_move
):
    asked = move_ani_to_bungo(app, world)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 400
    assert "Ani looks after 2 desa binaan of Kanim Jambi; moving them ends those assignments." in page
    assert 'name="end_assignments"' in page
    with app.app_context():
        assert db.session.get(User, world.ani).office.code == "kanim-jambi"
        assert db.session.scalars(
            select(Assignment.ended_on).where(Assignment.officer_id == world.ani)
        ).all() == [None, None]

    assert move_ani_to_bungo(app, world, end_assignments="y").status_code == 302
    with app.app_context():
        assert db.session.get(User, world.ani).office.code == "kanim-bungo"
        assert db.session.scalars(
            select(Assignment.ended_on).where(Assignment.officer_id == world.ani)
        ).all() == [today(), today()]
    # Her phone no longer offers the old villages.
    assert before_move["phone"].client.get("/api/v1/me").get_json()["villages"] == []


def test_the_user_page_asks_nothing_when_the_office_stays_the_same(app, world):
    maya = logged_in(app, "maya")
    page = maya.client.get(f"/kelola/pengguna/{world.ani}").get_data(as_text=True)
    assert 'name="end_assignments"' not in page
    response = maya.submit(
        f"/kelola/pengguna/{world.ani}",
        {"full_name": "Ani S", "role": "officer", "office": str(world.kanim), "active": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(
            select(Assignment.ended_on).where(Assignment.officer_id == world.ani)
        ).all() == [None, None]


def test_after_a_move_the_new_kanim_sees_none_of_her_earlier_records_and_the_old_one_keeps_them(
    app, world, moved
):
    bayu, maya = logged_in(app, "bayu"), logged_in(app, "maya")
    with app.app_context():
        jambi, bungo = office_id("kanim-jambi"), office_id("kanim-bungo")
        assert db.session.get(EarlyWarning, moved["warning"]).office_id == jambi
    month = f"{today():%Y-%m}"
    listed = [
        "/kelola/peringatan",
        "/kelola/sosialisasi",
        "/kelola/ekspor/warning.csv?period=30",
        "/kelola/ekspor/warning.xlsx?period=30",
        "/kelola/ekspor/session.csv?period=30",
    ]
    for path in listed:
        theirs, ours = bayu.client.get(path), maya.client.get(path)
        assert theirs.status_code == ours.status_code == 200, path
        marks = (PEOPLE, VENUE, "Calo menawarkan", moved["photo"])
        assert not [mark for mark in marks if mark in text_of(theirs)], path
        assert [mark for mark in marks if mark in text_of(ours)], path
    for path in (
        f"/kelola/peringatan/{moved['warning']}",
        f"/kelola/foto/{moved['photo']}",
        "/kelola/desa/15.71.01.1001",
    ):
        assert bayu.client.get(path).status_code == 404, path
        assert maya.client.get(path).status_code == 200, path
    assert PEOPLE in maya.client.get(f"/kelola/peringatan/{moved['warning']}").get_data(as_text=True)
    with app.app_context():
        year, number = today().year, today().month
        of = {
            code: reports.monthly_report(
                db.session, office=db.session.get(Office, code), year=year, month=number, today=today()
            )
            for code in (jambi, bungo)
        }
        assert (of[jambi].warnings_reported, of[jambi].totals.sessions) == (1, 1)
        assert (of[bungo].warnings_reported, of[bungo].totals.sessions) == (0, 0)
        # The Kanim report still names her among the officers who did the work, though she works elsewhere now.
        assert [row.officer.username for row in of[jambi].officers if row.warnings] == ["ani"]
    report = bayu.client.get(f"/kelola/laporan/{bungo}/{month}").get_data(as_text=True)
    assert "Calo menawarkan" not in report


def test_records_she_makes_after_the_move_in_her_new_village_belong_to_the_new_kanim(app, world, moved):
    with app.app_context():
        tanah_tumbuh = db.session.scalar(select(DesaBinaan).where(DesaBinaan.village_code == TANAH_TUMBUH))
        db.session.add(Assignment(officer_id=world.ani, desa_binaan=tanah_tumbuh))
        db.session.commit()
    visit = warning_record(village=TANAH_TUMBUH, description="Lowongan ke Kamboja di Tanah Tumbuh")
    assert moved["phone"].push([visit]).get_json()["results"][0]["status"] == "accepted"
    with app.app_context():
        assert db.session.get(EarlyWarning, visit["id"]).office.code == "kanim-bungo"
    bayu, maya = logged_in(app, "bayu"), logged_in(app, "maya")
    assert "Tanah Tumbuh" in bayu.client.get("/kelola/ekspor/warning.csv?period=30").get_data(as_text=True)
    assert "Tanah Tumbuh" not in maya.client.get("/kelola/ekspor/warning.csv?period=30").get_data(
        as_text=True
    )
    assert bayu.client.get(f"/kelola/peringatan/{visit['id']}").status_code == 200
    assert maya.client.get(f"/kelola/peringatan/{visit['id']}").status_code == 404


def test_a_record_in_a_village_that_is_no_desa_binaan_is_seen_only_by_admins(app, world):
    with app.app_context():
        at = datetime.combine(today(), datetime.min.time())
        db.session.add(
            Visit(
                id="00000000-0000-4000-8000-00000000a001",
                officer_id=world.ani,
                village_code="15.71.01.1005",
                occurred_at=at,
                client_updated_at=at,
                rev=1,
                purpose="Di Murni",
                notes="",
            )
        )
        db.session.commit()
        assert db.session.get(Visit, "00000000-0000-4000-8000-00000000a001").office_id is None
        make_user("wulan", "manager", db.session.scalar(select(Office).where(Office.code == "kanwil-jambi")))
        db.session.commit()
    for username, sees in (("maya", False), ("wulan", False), ("root", True)):
        export = (
            logged_in(app, username).client.get("/kelola/ekspor/visit.csv?period=30").get_data(as_text=True)
        )
        assert ("Di Murni" in export) is sees, username


def test_a_village_handed_to_another_kanim_keeps_its_earlier_records_with_the_first(app, world):
    """Legok goes from Kanim Jambi to Kanim Bungo on 1 March 2026 (07:00 WIB is midnight UTC)."""
    with app.app_context():
        jambi, bungo = office_id("kanim-jambi"), office_id("kanim-bungo")
        legok = db.session.get(DesaBinaan, world.desa["15.71.01.1002"])
        legok.ended_on = date(2026, 3, 1)
        db.session.add(
            DesaBinaan(
                village_code="15.71.01.1002",
                office_id=bungo,
                risk_level=RiskLevel.sedang,
                designated_on=date(2026, 3, 1),
            )
        )
        db.session.commit()
        on = {
            datetime(2026, 2, 28, 16, 59): jambi,  # 23:59 WIB on the 28th
            datetime(
                2026, 2, 28, 17, 0
            ): bungo,  # 00:00 WIB on the 1st: the handover day goes to the newer office
            datetime(2026, 5, 1, 9): bungo,
            datetime(2024, 1, 1, 9): bungo,  # before any designation: the one open when it is stored
        }
        for i, moment in enumerate(on):
            db.session.add(
                Visit(
                    id=f"00000000-0000-4000-8000-00000000b00{i}",
                    officer_id=world.ani,
                    village_code="15.71.01.1002",
                    occurred_at=moment,
                    client_updated_at=moment,
                    rev=i + 1,
                    purpose="x",
                    notes="",
                )
            )
        db.session.commit()
        stored = {v.occurred_at: v.office_id for v in db.session.scalars(select(Visit))}
        assert stored == on
        # An edit that moves a record to another day moves it to that day's office.
        first = db.session.get(Visit, "00000000-0000-4000-8000-00000000b000")
        first.occurred_at = datetime(2026, 4, 1, 9)
        db.session.commit()
        assert db.session.get(Visit, first.id).office_id == bungo


def test_scope_get_or_404_answers_a_row_only_to_whoever_may_see_it(app, world, before_move):
    from werkzeug.exceptions import NotFound

    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        photo = db.session.get(Photo, before_move["photo"])
        assert (
            scope.get_or_404(db.session, EducationSession, before_move["session"], users["maya"]).venue
            == VENUE
        )
        assert scope.get_or_404(db.session, Photo, photo.id, users["wulan"]) is photo
        for model, key in (
            (EducationSession, before_move["session"]),
            (Photo, photo.id),
            (EarlyWarning, None),
        ):
            with pytest.raises(NotFound):
                scope.get_or_404(db.session, model, key, users["bayu"])


def test_upgrading_gives_each_record_stored_before_the_office_of_its_village_on_its_day(fresh_app):  # noqa: F811
    with fresh_app.app_context():
        upgrade(revision="d5e1b2c3f4a6")
        add_officer_ani()
        db.session.execute(
            text(
                "INSERT INTO regions (code, name, level) VALUES ('15', 'Jambi', 'province'), ('15.1', 'Satu', 'village'), "
                "('15.2', 'Dua', 'village'), ('15.3', 'Tiga', 'village')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO offices (id, code, name, kind, address, phone, whatsapp, hours) VALUES "
                "(1, 'a', 'Kanim A', 'kanim', '', '', '', ''), (2, 'b', 'Kanim B', 'kanim', '', '', '', '')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO desa_binaan (village_code, office_id, risk_level, designated_on, reason, ended_on) VALUES "
                "('15.1', 1, 'tinggi', '2025-01-01', '', '2025-06-30'), ('15.1', 2, 'tinggi', '2025-06-30', '', NULL), "
                "('15.3', 1, 'rendah', '2026-01-01', '', NULL)"
            )
        )
        records = {
            "v1": ("15.1", "2025-03-01 10:00:00", 1),
            "v2": ("15.1", "2025-06-29 16:00:00", 1),  # 23:00 WIB on the 29th
            "v3": ("15.1", "2025-06-29 18:00:00", 2),  # 01:00 WIB on the 30th, the handover day
            "v4": ("15.2", "2025-03-01 10:00:00", None),  # no desa binaan
            "v5": ("15.3", "2025-05-01 10:00:00", 1),  # before its designation: the one open now
        }
        for record_id, (village, moment, _) in records.items():
            db.session.execute(
                text("INSERT INTO record_ids (id, record_type, officer_id) VALUES (:id, 'visit', 1)"),
                {"id": record_id},
            )
            db.session.execute(
                text(
                    "INSERT INTO visits (id, occurred_at, voided, version, client_updated_at, device_id, rev, received_at, "
                    "officer_id, village_code, purpose, notes) VALUES (:id, :at, false, 1, :at, '', 1, :at, 1, :village, "
                    "'x', '')"
                ),
                {"id": record_id, "at": moment, "village": village},
            )
        db.session.commit()
        upgrade()
        stored = dict(db.session.execute(text("SELECT id, office_id FROM visits")).all())
        assert stored == {record_id: office for record_id, (_, _, office) in records.items()}
        db.session.remove()


def test_the_warning_page_of_a_record_nobody_may_see_is_a_404_not_a_500(app, world):
    maya = logged_in(app, "maya")
    assert maya.client.get("/kelola/peringatan/not-a-uuid").status_code == 404
    assert maya.client.get("/kelola/foto/00000000-0000-4000-8000-000000000000").status_code == 404


def test_a_file_brought_in_before_the_move_stays_listed_with_the_office_of_its_records(
    app, world, before_move
):
    maya = logged_in(app, "maya")
    assert send_file(maya.client, exported([visit_record()]), name="ani-hp-lama.json").status_code == 200
    assert move_ani_to_bungo(app, world, end_assignments="y").status_code == 302
    assert "ani-hp-lama.json" in maya.client.get("/kelola/impor").get_data(as_text=True)
    assert "ani-hp-lama.json" not in logged_in(app, "bayu").client.get("/kelola/impor").get_data(as_text=True)
