"""A file of records a manager brings in is kept with who brought it in, when, and the file's SHA-256; each
record version it stored points to it, and the managers' pages say so."""

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Import, Office, RecordVersion
from tests.conftest import Auth, make_user, visit_record
from tests.test_manage import exported, send_file
from tests.test_record_types import warning_record


def later(record, minutes, **changes):
    """The same record edited on the phone `minutes` later."""
    moment = datetime.fromisoformat(record["updated_at"]) + timedelta(minutes=minutes)
    return {**record, "updated_at": moment.astimezone(UTC).isoformat(), **changes}


def imports(app):
    with app.app_context():
        return [
            (
                i.imported_by.username,
                i.file_name,
                i.sha256,
                i.officer.username,
                i.stored,
                i.duplicates,
                i.rejected,
            )
            for i in db.session.scalars(select(Import).order_by(Import.id))
        ]


def versions(app, record_id):
    """Each version of a record with the file it came in (None: sent by the phone)."""
    with app.app_context():
        return [
            (v.voided, v.import_id and db.session.get(Import, v.import_id).file_name)
            for v in db.session.scalars(
                select(RecordVersion)
                .where(RecordVersion.record_id == record_id)
                .order_by(RecordVersion.client_updated_at)
            )
        ]


def test_an_import_keeps_who_brought_in_which_file_and_its_hash(app, client, auth, world):
    raw = exported([visit_record(), visit_record(village="15.71.01.1003")])
    auth.login("maya")
    page = send_file(client, raw, name="pimpasa-ani.json").get_data(as_text=True)
    digest = hashlib.sha256(raw).hexdigest()
    assert imports(app) == [("maya", "pimpasa-ani.json", digest, "ani", 1, 0, 1)]
    assert digest[:12] in page and "pimpasa-ani.json" in page and "Maya" in page
    listed = client.get("/kelola/impor").get_data(as_text=True)  # the recent imports, later
    assert digest[:12] in listed and "pimpasa-ani.json" in listed


def test_the_warning_page_says_who_brought_it_in_from_which_file(app, client, auth, world):
    imported, sent = warning_record(), warning_record(description="Calo dari kota.")
    raw = exported([imported])
    auth.login("maya")
    send_file(client, raw, name="ani-hp-rusak.json")
    phone = Auth(app.test_client())
    phone.login("ani")
    assert phone.push([sent]).get_json()["results"][0]["status"] == "accepted"

    page = client.get(f"/kelola/peringatan/{imported['id']}").get_data(as_text=True)
    assert "ani-hp-rusak.json" in page and hashlib.sha256(raw).hexdigest()[:12] in page and "Maya" in page
    assert "ani-hp-rusak.json" not in client.get(f"/kelola/peringatan/{sent['id']}").get_data(as_text=True)


def test_edits_and_voids_brought_in_later_point_to_their_own_file(app, client, auth, world):
    record = visit_record()
    auth.login("maya")
    send_file(client, exported([record]), name="pertama.json")
    send_file(client, exported([later(record, 5, voided=True)]), name="kedua.json")
    phone = Auth(app.test_client())
    phone.login("ani")
    phone.push([later(record, 10, voided=True)])
    assert versions(app, record["id"]) == [(False, "pertama.json"), (True, "kedua.json"), (True, None)]
    village = client.get("/kelola/desa/15.71.01.1001").get_data(as_text=True)
    assert "pertama.json" in village and "kedua.json" in village


def test_the_same_file_twice_is_recognised_and_stores_nothing_new(app, client, auth, world):
    raw = exported([visit_record()])
    auth.login("maya")
    first = send_file(client, raw).get_data(as_text=True)
    assert 'id="imported-before"' not in first
    again = send_file(client, raw, name="salinan.json").get_data(as_text=True)
    assert 'id="imported-before"' in again and "pimpasa-ani.json" in again  # names the first upload
    assert [(row[1], row[4], row[5]) for row in imports(app)] == [
        ("pimpasa-ani.json", 1, 0),
        ("salinan.json", 0, 1),
    ]


def test_the_import_page_lists_only_the_imports_the_manager_may_see(app, client, auth, world):
    auth.login("maya")
    send_file(client, exported([visit_record()]), name="dari-maya.json")
    with app.app_context():
        make_user("rudi", "manager", db.session.scalar(select(Office).where(Office.code == "kanim-bungo")))
        db.session.commit()
    stranger = app.test_client()
    Auth(stranger).login("rudi")
    assert "dari-maya.json" not in stranger.get("/kelola/impor").get_data(as_text=True)
    admin = app.test_client()
    Auth(admin).login("root")
    assert "dari-maya.json" in admin.get("/kelola/impor").get_data(as_text=True)


def test_a_file_name_with_folders_is_kept_as_its_last_part(app, client, auth, world):
    auth.login("maya")
    send_file(client, exported([visit_record()]), name="../Downloads/pimpasa-ani.json")
    assert imports(app)[0][1] == "pimpasa-ani.json"
