"""The office follows up early warnings, within its own area, and the status goes back to the reporter."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach import sync
from outreach.early_warnings import is_overdue
from outreach.extensions import db
from outreach.models import EarlyWarning, Office, User, utcnow
from tests.conftest import Auth, form_token, make_user
from tests.test_record_types import warning_record


@pytest.fixture
def reported(app, world):
    officer = app.test_client()
    Auth(officer).login("ani")
    sent = warning_record(urgency="segera", description="Calo membawa tiga pemuda ke Kamboja")
    Auth(officer).push([sent])
    return sent["id"]


def test_a_manager_refers_a_warning_and_the_reporter_sees_it_on_the_next_sync(
    app, client, auth, world, reported
):
    auth.login("maya")
    assert "1 peringatan dini baru" in client.get("/kelola/").get_data(as_text=True)
    listing = client.get("/kelola/peringatan?status=new").get_data(as_text=True)
    assert "Calo membawa tiga pemuda" in listing
    path = f"/kelola/peringatan/{reported}"
    response = client.post(
        path,
        data={
            "csrf_token": form_token(client, path),
            "status": "follow_up",
            "referred_to": "police",
            "responsible": "Iptu Sari",
            "note": "Diteruskan ke Polres",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        ani = db.session.get(User, world.ani)
        [change] = sync.changes(db.session, user=ani, since=0, limit=10)["changes"]
        assert (
            change["follow_up"]["status"] == "follow_up"
            and change["follow_up"]["note"] == "Diteruskan ke Polres"
        )
        assert db.session.get(EarlyWarning, reported).follow_up.responsible == "Iptu Sari"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"status": "follow_up", "referred_to": "", "responsible": ""}, "instansi dan penanggung jawab"),
        ({"status": "closed", "outcome": ""}, "Tuliskan bagaimana akhirnya"),
    ],
)
def test_a_follow_up_without_its_details_is_refused(client, auth, world, reported, data, message):
    auth.login("maya")
    path = f"/kelola/peringatan/{reported}"
    response = client.post(path, data={"csrf_token": form_token(client, path), **data})
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_another_kanim_cannot_see_or_follow_up_the_warning(app, world, reported):
    with app.app_context():
        make_user("rudi", "manager", db.session.scalar(select(Office).where(Office.code == "kanim-bungo")))
        db.session.commit()
    other = app.test_client()
    Auth(other).login("rudi")
    assert "Calo membawa" not in other.get("/kelola/peringatan").get_data(as_text=True)
    assert other.get(f"/kelola/peringatan/{reported}").status_code == 404


def test_an_urgent_warning_left_new_for_more_than_a_day_stands_out(app, client, auth, world, reported):
    with app.app_context():
        warning = db.session.get(EarlyWarning, reported)
        assert not is_overdue(warning, utcnow())
        assert is_overdue(warning, utcnow() + timedelta(days=2))
        warning.received_at = utcnow() - timedelta(days=2)
        db.session.commit()
    auth.login("maya")
    assert "Terlambat: sudah terlalu lama menunggu kantor." in client.get("/kelola/peringatan").get_data(
        as_text=True
    )


def test_a_warning_page_gives_its_time_to_the_minute_in_the_programs_zone(app, client, auth, world):
    officer = app.test_client()
    Auth(officer).login("ani")
    sent = warning_record(urgency="segera")
    sent["data"]["occurred_at"] = "2026-11-30T23:45:59Z"  # 06:45 on 1 December in WIB
    Auth(officer).push([sent])
    auth.login("maya")
    page = client.get(f"/kelola/peringatan/{sent['id']}").get_data(as_text=True)
    assert "1 Des 2026 06.45" in page and "06.45.59" not in page


def test_one_new_warning_is_one_warning_in_english_too(client, auth, world, reported):
    auth.login("maya")
    client.set_cookie("lang", "en")
    dashboard = client.get("/kelola/").get_data(as_text=True)
    assert "1 new early warning<" in dashboard and "1 new early warnings" not in dashboard
