"""Who edits what the public reads: the Kanwil (or an admin) the province's articles and the national contacts;
a Kanim its own office's contacts and details, and proposals for articles that the Kanwil publishes. Commands
run on the server are in the audit log too."""

import io
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from outreach import guidance, rights
from outreach.extensions import db
from outreach.models import AuditEntry, Contact, Material, MaterialProposal, Office, User
from tests.conftest import Auth, form_token, make_user
from tests.test_cli import add_kanim, add_regions
from tests.test_migrations import fresh_app  # noqa: F401  (a fixture)

OLD_BODY = "## Tanda bahaya\n\nGaji sangat tinggi tanpa kontrak.\n"
NEW_BODY = "## Tanda bahaya\n\nDiminta membayar biaya pendaftaran.\n"


@pytest.fixture
def guide(app, world):
    """The national KP2MI number, a contact of Kanim Jambi, a published article; a Kanwil manager (kiki) and a
    manager of the other Kanim (rudi)."""
    with app.app_context():
        kanwil = db.session.scalar(select(Office).where(Office.code == "kanwil-jambi"))
        bungo = db.session.scalar(select(Office).where(Office.code == "kanim-bungo"))
        make_user("kiki", "manager", kanwil)
        make_user("rudi", "manager", bungo)
        national = Contact(
            key="kp2mi-0800-1000",
            kind="hotline",
            name_id="Call center KP2MI",
            value="0800-1000",
            status="terverifikasi",
        )
        own = Contact(
            key="kanim-jambi-wa",
            kind="whatsapp",
            name_id="WhatsApp Kanim Jambi",
            value="",
            office_id=world.kanim,
        )
        article = Material(
            slug="tanda-bahaya",
            kind="article",
            topics=["tppo"],
            published=True,
            title_id="Tanda bahaya",
            body_id=OLD_BODY,
            sources=[],
        )
        db.session.add_all([national, own])
        guidance.save(db.session, article, by="content files")
        db.session.commit()
        return {
            "national": national.id,
            "own": own.id,
            "article": article.id,
            "kanwil": kanwil.id,
            "bungo": bungo.id,
        }


def logged_in(app, username):
    client = app.test_client()
    Auth(client).login(username)
    return client


def in_english(client):
    client.post("/bahasa/en", data={"csrf_token": form_token(client, "/kelola/materi"), "next": "/kelola/"})
    return client


def contact_form(client, contact_id, **changes):
    path = f"/kelola/kontak/{contact_id}"
    data = {
        "csrf_token": form_token(client, path),
        "name_id": "Call center KP2MI",
        "value": "0800-1000",
        **changes,
    }
    return client.post(path, data=data)


def material_form(client, material_id, **changes):
    path = f"/kelola/materi/{material_id}"
    data = {
        "csrf_token": form_token(client, path),
        "slug": "tanda-bahaya",
        "kind": "article",
        "topics": ["tppo"],
        "title_id": "Tanda bahaya",
        "body_id": OLD_BODY,
        "published": "y",
        "action": "save",
        **changes,
    }
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def public_text(app, path):
    return app.test_client().get(path).get_data(as_text=True)


def test_a_kanim_manager_cannot_change_the_national_kp2mi_contact(app, guide):
    maya = in_english(logged_in(app, "maya"))
    path = f"/kelola/kontak/{guide['national']}"
    assert maya.get(path).status_code == 403
    refused = maya.post(
        path,
        data={
            "csrf_token": form_token(maya, "/kelola/materi"),
            "name_id": "KP2MI",
            "value": "https://kp2mi-palsu.example",
        },
    )
    assert refused.status_code == 403
    assert "Only the Kanwil or an admin may change a national or province-wide contact." in refused.get_data(
        as_text=True
    )
    page = public_text(app, "/kontak")
    assert "0800-1000" in page and "kp2mi-palsu" not in page
    listing = maya.get("/kelola/kontak").get_data(as_text=True)
    assert path not in listing and f"/kelola/kontak/{guide['own']}" in listing  # no link it cannot use


def test_a_kanim_manager_fills_in_their_own_offices_contact_but_cannot_give_it_away(app, guide):
    maya = logged_in(app, "maya")
    assert 'name="office_id"' not in maya.get(f"/kelola/kontak/{guide['own']}").get_data(as_text=True)
    response = contact_form(
        maya,
        guide["own"],
        name_id="WhatsApp Kanim Jambi",
        value="0812 7777 0000",
        office_id=str(guide["bungo"]),
    )
    assert response.status_code == 302
    assert "0812 7777 0000" in public_text(app, "/kontak")
    with app.app_context():
        assert db.session.get(Contact, guide["own"]).office_id == db.session.scalar(
            select(Office.id).where(Office.code == "kanim-jambi")
        )


def test_the_kanwil_changes_a_national_contact_and_hands_one_to_a_kanim(app, guide):
    kiki = logged_in(app, "kiki")
    assert 'name="office_id"' in kiki.get(f"/kelola/kontak/{guide['national']}").get_data(as_text=True)
    assert contact_form(kiki, guide["national"], value="0800 1000").status_code == 302
    assert "0800 1000" in public_text(app, "/kontak")
    assert contact_form(kiki, guide["national"], office_id=str(guide["bungo"])).status_code == 302
    rudi = logged_in(app, "rudi")  # now Kanim Bungo's to keep
    assert contact_form(rudi, guide["national"], value="0800-1000 (24 jam)").status_code == 302
    assert logged_in(app, "maya").get(f"/kelola/kontak/{guide['national']}").status_code == 403


def test_a_kanim_manager_changes_neither_another_offices_contact_nor_its_details(app, guide, world):
    rudi = in_english(logged_in(app, "rudi"))
    assert rudi.get(f"/kelola/kontak/{guide['own']}").status_code == 403
    office = rudi.get(f"/kelola/kantor/{world.kanim}")
    assert office.status_code == 403 and "Only the managers of Kanim Jambi" in office.get_data(as_text=True)
    assert rudi.get(f"/kelola/kantor/{guide['kanwil']}").status_code == 403
    assert rudi.get(f"/kelola/kantor/{guide['bungo']}").status_code == 200
    kiki = logged_in(app, "kiki")  # the Kanwil keeps the details of the Kanim under it
    assert kiki.get(f"/kelola/kantor/{guide['bungo']}").status_code == 200


def test_a_kanim_managers_article_edit_waits_for_the_kanwil_to_publish_it(app, guide):
    maya = logged_in(app, "maya")
    page = maya.get(f"/kelola/materi/{guide['article']}").get_data(as_text=True)
    assert 'value="save"' in page and "/kelola/materi/baru" not in page
    assert material_form(maya, guide["article"], body_id=NEW_BODY).status_code == 302
    assert "biaya pendaftaran" not in public_text(app, "/panduan/tanda-bahaya")  # still the published text
    assert "Gaji sangat tinggi" in public_text(app, "/panduan/tanda-bahaya")
    with app.app_context():
        assert db.session.get(Material, guide["article"]).version == 1
        proposal = db.session.scalar(select(MaterialProposal))
        assert (proposal.status, proposal.proposed_by.username, proposal.base_version) == (
            "pending",
            "maya",
            1,
        )

    kiki = logged_in(app, "kiki")
    proposal_path = f"/kelola/materi/{guide['article']}/usulan/{proposal.id}"
    assert proposal_path in kiki.get(f"/kelola/materi/{guide['article']}").get_data(as_text=True)
    shown = kiki.get(proposal_path).get_data(as_text=True)
    assert "biaya pendaftaran" in shown and "/terbitkan" in shown
    assert "/terbitkan" not in maya.get(proposal_path).get_data(as_text=True)  # no button it cannot use
    published = kiki.post(f"{proposal_path}/terbitkan", data={"csrf_token": form_token(kiki, proposal_path)})
    assert published.status_code == 302
    assert "biaya pendaftaran" in public_text(app, "/panduan/tanda-bahaya")
    with app.app_context():
        material = db.session.get(Material, guide["article"])
        assert material.version == 2 and guidance.versions(db.session, material)[0].saved_by == "Kiki"
        decided = db.session.get(MaterialProposal, proposal.id)
        assert (decided.status, decided.version, decided.decided_by.username) == ("published", 2, "kiki")
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.entity == "materials", AuditEntry.action == "update")
        )
        assert entry.actor_name == "kiki" and "biaya pendaftaran" in entry.after["body_id"]
    history = in_english(kiki).get(f"/kelola/materi/{guide['article']}/versi").get_data(as_text=True)
    assert "Kiki (proposed by Maya)" in history


def test_a_declined_proposal_leaves_the_article_and_cannot_be_decided_twice(app, guide):
    maya = logged_in(app, "maya")
    material_form(maya, guide["article"], body_id=NEW_BODY)
    with app.app_context():
        proposal_id = db.session.scalar(select(MaterialProposal.id))
    path = f"/kelola/materi/{guide['article']}/usulan/{proposal_id}"
    assert maya.post(f"{path}/terbitkan", data={"csrf_token": form_token(maya, path)}).status_code == 403
    kiki = logged_in(app, "kiki")
    assert kiki.post(f"{path}/tolak", data={"csrf_token": form_token(kiki, path)}).status_code == 302
    assert kiki.post(f"{path}/terbitkan", data={"csrf_token": form_token(kiki, path)}).status_code == 409
    assert "biaya pendaftaran" not in public_text(app, "/panduan/tanda-bahaya")
    with app.app_context():
        assert db.session.get(Material, guide["article"]).version == 1


def test_an_admin_and_a_kanwil_manager_publish_directly(app, guide):
    for username, body in (("root", NEW_BODY), ("kiki", OLD_BODY)):
        client = logged_in(app, username)
        assert "/kelola/materi/baru" in client.get("/kelola/materi").get_data(as_text=True)
        assert material_form(client, guide["article"], body_id=body).status_code == 302
        assert body.split("\n\n")[1].strip() in public_text(app, "/panduan/tanda-bahaya")
    with app.app_context():
        assert db.session.get(Material, guide["article"]).version == 3
        assert db.session.scalar(select(MaterialProposal)) is None


def test_a_kanim_manager_adds_no_material_and_restoring_is_a_proposal(app, guide):
    kiki = logged_in(app, "kiki")
    material_form(kiki, guide["article"], body_id=NEW_BODY)  # version 2
    maya = in_english(logged_in(app, "maya"))
    assert "/kelola/materi/baru" not in maya.get("/kelola/materi").get_data(as_text=True)
    refused = maya.get("/kelola/materi/baru")
    assert refused.status_code == 403 and "Only the Kanwil or an admin adds materials" in refused.get_data(
        as_text=True
    )
    versions = f"/kelola/materi/{guide['article']}/versi"
    assert "Propose bringing it back" in maya.get(versions).get_data(as_text=True)
    assert (
        maya.post(f"{versions}/1/pulihkan", data={"csrf_token": form_token(maya, versions)}).status_code
        == 302
    )
    assert "biaya pendaftaran" in public_text(app, "/panduan/tanda-bahaya")  # version 2 stays until published
    with app.app_context():
        proposal = db.session.scalar(select(MaterialProposal))
        assert (
            proposal.snapshot["body_id"] == OLD_BODY
            and db.session.get(Material, guide["article"]).version == 2
        )


def test_a_file_a_kanim_proposes_waits_in_the_proposal_as_a_safe_download(app, guide):
    from tests.test_guidance_files import PDF, SANDBOX

    maya = logged_in(app, "maya")
    path = f"/kelola/materi/{guide['article']}"
    sent = maya.post(
        path,
        data={
            "csrf_token": form_token(maya, path),
            "slug": "tanda-bahaya",
            "kind": "leaflet",
            "title_id": "Tanda bahaya",
            "body_id": OLD_BODY,
            "published": "y",
            "action": "save",
            "file": (io.BytesIO(PDF), "leaflet.pdf", "text/html"),
        },
    )
    assert sent.status_code == 302
    assert app.test_client().get("/panduan/tanda-bahaya/berkas").status_code == 404  # not public yet
    with app.app_context():
        proposal_id = db.session.scalar(select(MaterialProposal.id))
    proposal_path = f"{path}/usulan/{proposal_id}"
    kiki = logged_in(app, "kiki")
    download = kiki.get(f"{proposal_path}/berkas")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Security-Policy"] == SANDBOX
    kiki.post(f"{proposal_path}/terbitkan", data={"csrf_token": form_token(kiki, proposal_path)})
    assert app.test_client().get("/panduan/tanda-bahaya/berkas").data == PDF


def test_a_manager_without_an_office_reads_the_guidance_but_changes_nothing(app, guide):
    with app.app_context():
        make_user("tanpa", "manager")
        db.session.commit()
    client = logged_in(app, "tanpa")
    page = client.get(f"/kelola/materi/{guide['article']}").get_data(as_text=True)
    assert 'value="save"' not in page
    assert material_form(client, guide["article"], body_id=NEW_BODY).status_code == 403
    assert client.get(f"/kelola/kontak/{guide['own']}").status_code == 403


@pytest.mark.parametrize(
    "username, publishes, proposes, national, own",
    [
        ("root", True, False, True, True),
        ("kiki", True, False, True, True),
        ("maya", False, True, False, True),
        ("rudi", False, True, False, False),
        ("ani", False, False, False, False),
    ],
)
def test_the_rights_of_each_kind_of_user(app, guide, username, publishes, proposes, national, own):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        assert rights.publishes_guidance(user) is publishes and rights.proposes_guidance(user) is proposes
        assert (
            rights.may_edit_contact(db.session, user, db.session.get(Contact, guide["national"])) is national
        )
        assert rights.may_edit_contact(db.session, user, db.session.get(Contact, guide["own"])) is own


def test_accounts_and_offices_made_on_the_command_line_are_in_the_audit_log(runner, ctx):
    add_regions()
    add_kanim()
    made = runner.invoke(
        args=[
            "create-office",
            "kanim-kuala-tungkal",
            "--name",
            "Kanim Kuala Tungkal",
            "--kind",
            "kanim",
            "--parent",
            "kanwil-jambi",
            "--regency",
            "15.71",
        ]
    )
    assert made.exit_code == 0, made.output
    user = runner.invoke(
        args=[
            "create-user",
            "rina",
            "--role",
            "officer",
            "--office",
            "kanim-kuala-tungkal",
            "--password",
            "kabut-pagi-sungai",
        ]
    )
    assert user.exit_code == 0, user.output
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.entity, e.label) for e in entries] == [
        ("create", "offices", "kanim-kuala-tungkal"),
        ("create", "users", "rina"),
    ]
    assert all(re.fullmatch(r"command line \(.+\)", e.actor_name) and e.actor_id is None for e in entries)
    assert entries[1].after["password_hash"] == "***"


def test_a_region_file_imported_on_the_command_line_is_one_entry_with_its_hash(runner, ctx, tmp_path):
    import hashlib

    regions = tmp_path / "regions.csv"
    regions.write_text(
        "code,name,level,parent_code,lat,lng\n15,Jambi,province,,,\n15.71,Kota Jambi,regency,15,,\n",
        encoding="utf-8",
    )
    assert runner.invoke(args=["import-regions", str(regions)]).exit_code == 0
    [entry] = db.session.scalars(select(AuditEntry))
    assert (entry.action, entry.entity, entry.label) == ("import", "regions", "regions.csv")
    assert entry.after["sha256"] == hashlib.sha256(regions.read_bytes()).hexdigest()
    assert entry.after["regency"] == {"added": 1, "updated": 0} and entry.actor_name.startswith(
        "command line ("
    )


def test_what_a_manager_changes_in_a_request_is_not_put_on_the_command_line(app, guide):
    contact_form(logged_in(app, "kiki"), guide["national"], value="0800 1000")
    with app.app_context():
        assert [e.actor_name for e in db.session.scalars(select(AuditEntry))] == ["kiki"]


def test_upgrading_keeps_the_contacts_as_national_ones_and_the_versions_as_sent_by_phones(fresh_app):  # noqa: F811
    with fresh_app.app_context():
        upgrade(revision="c3a8f0d2e6b1")
        db.session.execute(
            text(
                "INSERT INTO users (id, username, full_name, password_hash, role, active, created_at, must_change_password) "
                "VALUES (1, 'ani', 'Ani', 'x', 'officer', 1, '2026-11-01', 0)"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO contacts (id, key, kind, name_id, name_en, value, hours_id, hours_en, description_id, "
                "description_en, status, source, sort_order) VALUES (1, 'kp2mi-0800-1000', 'hotline', 'KP2MI', '', "
                "'0800-1000', '', '', '', '', 'terverifikasi', '', 0)"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO record_versions (id, record_type, record_id, officer_id, data, voided, client_updated_at, "
                "device_id, received_at) VALUES (1, 'visit', 'r1', 1, '{}', 0, '2026-11-01', 'phone-1', '2026-11-01')"
            )
        )
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT key, value, office_id FROM contacts")).one() == (
            "kp2mi-0800-1000",
            "0800-1000",
            None,
        )
        assert db.session.execute(text("SELECT record_id, import_id FROM record_versions")).one() == (
            "r1",
            None,
        )
        db.session.remove()
