"""Every change an office user makes is in the audit log (who, what, when, before and after), for admins."""

from sqlalchemy import select

from outreach import audit
from outreach.extensions import db
from outreach.models import AuditEntry, Contact, DesaBinaan, Office, RiskLevel, User
from tests.conftest import Auth, today, visit_record
from tests.test_designations import assign, remove
from tests.test_record_types import warning_record


def logged():
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_a_new_account_and_its_changes_are_logged_with_who_and_the_values_never_the_password(
    app, client, auth, world
):
    auth.login("maya")
    auth.submit(
        "/kelola/pengguna/baru",
        {
            "username": "rina",
            "full_name": "Rina",
            "role": "officer",
            "office": str(world.kanim),
            "password": "rahasia-rina-1",
        },
    )
    with app.app_context():
        rina = db.session.scalar(select(User.id).where(User.username == "rina"))
    auth.submit(
        f"/kelola/pengguna/{rina}",
        {"full_name": "Rina Marlina", "role": "manager", "office": str(world.kanim), "active": "y"},
    )
    auth.submit(f"/kelola/pengguna/{rina}/sandi", {}, form_page=f"/kelola/pengguna/{rina}")
    with app.app_context():
        created, changed, password = logged()
        stored_hash = db.session.get(User, rina).password_hash
    assert (created.action, created.entity, created.entity_id, created.label) == (
        "create",
        "users",
        str(rina),
        "rina",
    )
    assert (created.actor_id, created.actor_name) == (world.manager, "maya")
    assert created.after["role"] == "officer" and created.after["office_id"] == world.kanim
    assert created.after["password_hash"] == "***"
    assert changed.before == {"full_name": "Rina", "role": "officer"}
    assert changed.after == {"full_name": "Rina Marlina", "role": "manager"}
    assert password.action == "update" and set(password.after) == {"password_hash"}
    assert stored_hash not in str([created.after, changed.after, password.before, password.after])


def test_a_warnings_follow_up_and_a_contact_edit_are_logged(app, client, auth, world):
    phone = Auth(app.test_client())
    phone.login("ani")
    record = warning_record()
    phone.push([record])
    auth.login("maya")
    path = f"/kelola/peringatan/{record['id']}"
    auth.submit(
        path,
        {"status": "follow_up", "referred_to": "police", "responsible": "Bripka Sari", "note": "Dilaporkan"},
    )
    with app.app_context():
        db.session.add(
            Contact(key="pimpasa-desa", kind="phone", name_id="Pimpasa desa", value="", office_id=world.kanim)
        )
        db.session.commit()
        contact = db.session.scalar(select(Contact.id))
    auth.submit(f"/kelola/kontak/{contact}", {"name_id": "Pimpasa desa", "value": "0812-0000-0000"})
    with app.app_context():
        follow_up, edit = logged()
    assert (follow_up.action, follow_up.entity, follow_up.entity_id) == (
        "create",
        "warning_follow_ups",
        record["id"],
    )
    assert follow_up.after["responsible"] == "Bripka Sari" and follow_up.after["referred_to"] == "police"
    assert (edit.entity, edit.before, edit.after) == ("contacts", {"value": ""}, {"value": "0812-0000-0000"})


def test_what_officers_send_from_the_field_is_not_in_the_audit_log(app, client, auth, world):
    auth.login("ani")
    assert auth.push([visit_record()]).status_code == 200
    with app.app_context():
        assert logged() == []


def test_a_change_rolled_back_leaves_no_entry_and_a_collection_change_lists_both_sides(ctx, world):
    root = db.session.get(User, world.admin)
    audit.act_as(db.session, root)
    desa = db.session.get(DesaBinaan, world.desa["15.71.01.1004"])
    desa.risk_level = RiskLevel.rendah
    db.session.flush()
    db.session.rollback()
    assert logged() == []
    audit.act_as(db.session, root)
    bungo = db.session.scalar(select(Office).where(Office.code == "kanim-bungo"))
    kanim = db.session.get(Office, world.kanim)
    kanim.regencies = []
    bungo.name = "Kanim Muara Bungo"
    db.session.commit()
    entries = {entry.label: entry for entry in logged()}
    assert entries["kanim-jambi"].before == {"regencies": ["15.71"]} and entries["kanim-jambi"].after == {
        "regencies": []
    }
    assert entries["kanim-bungo"].after == {"name": "Kanim Muara Bungo"}


def test_admins_read_the_log_newest_first_and_filter_it_managers_do_not(app, client, auth, world):
    with app.app_context():
        root = db.session.get(User, world.admin)
        audit.act_as(db.session, root)
        for name in ("Satu", "Dua"):
            db.session.get(User, world.ani).full_name = name
            db.session.commit()
        db.session.get(Office, world.kanim).name = "Kanim Kelas I Jambi"
        db.session.commit()
    manager = Auth(app.test_client())
    manager.login("maya")
    assert manager.client.get("/kelola/audit").status_code == 403
    auth.login("root")
    page = client.get("/kelola/audit").get_data(as_text=True)
    assert page.index("Kanim Kelas I Jambi") < page.index(" Dua</div>") < page.index(" Ani</div>")
    only_ani = client.get(f"/kelola/audit?entity=users&entity_id={world.ani}").get_data(as_text=True)
    assert "Dua" in only_ani and "Kanim Kelas I Jambi" not in only_ani
    assert "Kanim Kelas I Jambi" in client.get(f"/kelola/audit?oleh={world.admin}").get_data(as_text=True)
    assert "Belum ada perubahan yang tercatat." in client.get(f"/kelola/audit?oleh={world.manager}").get_data(
        as_text=True
    )
    assert client.get("/kelola/audit?entity=nonsense&sebelum=x").status_code == 200


def test_assigning_and_removing_an_officer_is_logged_by_name_and_village(app, client, auth, world):
    auth.login("maya")
    assert assign(client, world.desa["15.71.01.1004"], world.ani).status_code == 302
    assert remove(client, world.desa["15.71.01.1004"], world.ani).status_code == 302
    with app.app_context():
        added, removed = logged()
    assert (added.action, added.label) == ("create", "ani → 15.71.01.1004")
    assert (removed.action, removed.label, removed.before) == (
        "update",
        "ani → 15.71.01.1004",
        {"ended_on": None},
    )
    assert removed.after == {"ended_on": today().isoformat()}
