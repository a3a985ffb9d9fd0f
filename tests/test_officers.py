"""Managers see how each officer's phones sync, and who has gone silent."""

from datetime import timedelta

from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Device, utcnow
from tests.conftest import Auth, visit_record


def push(client, records, pending, device="phone-ani"):
    auth = Auth(client)
    return client.post(
        "/api/v1/sync",
        json={"device_id": device, "pending": pending, "records": records},
        headers={"X-CSRFToken": auth.token()},
    )


def test_each_sync_records_the_phone_and_what_it_says_is_still_waiting(app, client, auth, world):
    auth.login("ani")
    assert push(client, [visit_record()], pending=4).status_code == 200
    assert push(client, [], pending=1).status_code == 200  # an empty push is a heartbeat
    with app.app_context():
        [device] = db.session.scalars(select(Device))
        assert device.device_id == "phone-ani" and device.pending == 1 and device.officer_id == world.ani


def test_a_bad_pending_count_is_refused(client, auth, world):
    auth.login("ani")
    for bad in (-1, "many", True):
        response = push(client, [], pending=bad)
        assert response.status_code == 400 and "pending" in response.get_json()["message"]


def test_the_officers_page_shows_phones_and_marks_silent_officers(app, client, auth, world):
    officer = app.test_client()
    Auth(officer).login("ani")
    push(officer, [visit_record()], pending=2)
    with app.app_context():
        db.session.add(
            Device(officer_id=world.budi, device_id="old", pending=7, last_sync=utcnow() - timedelta(days=20))
        )
        db.session.commit()
    auth.login("maya")
    page = client.get("/kelola/petugas").get_data(as_text=True)
    assert "Ani" in page and "Budi" in page and "Citra" not in page  # citra is another Kanim's
    assert page.count("Tanpa sinkronisasi lebih dari 14 hari") == 1
    assert page.index("Budi") < page.index("Ani")  # the silent one first
