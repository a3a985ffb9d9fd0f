"""Notices of early warnings: an urgent warning reaching the server is e-mailed to the managers responsible for
its village (a real SMTP conversation on loopback), retried when the mail server cannot be reached, sent once
whatever the number of senders, escalated to the Kanwil when nobody opened it in time; the warning's page says
who was told and who opened it."""

import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, func, select

from outreach import notices, sync
from outreach.extensions import db
from outreach.models import EarlyWarning, Notice, Office, User, WarningEscalation, WarningOpening, utcnow
from tests.conftest import make_user, visit_record
from tests.test_manage import exported, send_file

DESCRIPTION = "Calo bernama Pak Darto menawarkan kerja ke Kamboja."
PEOPLE = "Rina dan Sari, 17 tahun"


def warning_record(village="15.71.01.1001", **data):
    record = visit_record(village)
    record["type"] = "warning"
    record["data"] = {
        **{
            k: v
            for k, v in record["data"].items()
            if k in ("village", "occurred_at", "lat", "lng", "accuracy")
        },
        "category": "recruiter",
        "urgency": "segera",
        "description": DESCRIPTION,
        "people_involved": PEOPLE,
        "source": "villager",
        **data,
    }
    return record


class Inbox:
    """An aiosmtpd handler keeping every message it was handed."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.original_content)))
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SimpleServer(controller.port, handler)
    controller.stop()


class SimpleServer:
    def __init__(self, port, handler):
        self.port, self.handler = port, handler

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)


@pytest.fixture
def people(app, world):
    """maya (Kanim Jambi) and wati (the Kanwil) with e-mail addresses; the Kanwil's id."""
    app.config.update(PUBLIC_URL="https://pimpasa.example.go.id", NOTICE_SENDER=False)
    with app.app_context():
        kanwil = db.session.scalar(select(Office).where(Office.code == "kanwil-jambi"))
        wati = make_user("wati", "manager", kanwil)
        wati.email = "wati@kanwil.example.org"
        db.session.get(User, world.manager).email = "Maya@kanim.example.org"
        db.session.commit()
        return world


def mail_to(app, port):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="pimpasa@example.org")


def push(officer_id, records):
    results = sync.push(db.session, officer_id=officer_id, device_id="phone-1", records=records)
    db.session.commit()
    return results


def text_of(message):
    return message.get_payload(decode=True).decode()


def subject_of(message):
    return str(make_header(decode_header(message["Subject"])))


def test_an_urgent_warning_is_mailed_to_its_kanim_and_kanwil_without_names(app, people, inbox, auth):
    mail_to(app, inbox.port)
    auth.login("ani")
    sent = warning_record()
    assert auth.push([sent]).get_json()["results"][0]["status"] == "accepted"
    with app.app_context():
        assert notices.run_once(db.session(), app.config) == (0, 2)
    by_address = {rcpt[0]: message for rcpt, message in inbox.messages}
    assert set(by_address) == {"Maya@kanim.example.org", "wati@kanwil.example.org"}
    message = by_address["Maya@kanim.example.org"]
    body, subject = text_of(message), subject_of(message)
    assert f"https://pimpasa.example.go.id/kelola/peringatan/{sent['id']}" in body
    assert "Segera" in subject and "Sungai Putri" in subject
    assert "Sungai Putri" in body and "Segera" in body and "calo" in body  # the category's label
    for private in (DESCRIPTION, "Pak Darto", "Rina", "Sari", "Ani"):
        assert private not in body and private not in subject
    with app.app_context():
        assert {n.status for n in db.session.scalars(select(Notice))} == {"sent"}
        assert notices.run_once(db.session(), app.config) == (0, 0)  # sent once
    assert len(inbox.messages) == 2


def test_a_manager_hears_only_of_the_urgencies_they_chose(app, people, ctx):
    maya = db.session.get(User, people.manager)
    maya.notify_urgencies = "segera"
    db.session.commit()
    push(people.ani, [warning_record(urgency="tinggi"), warning_record(urgency="biasa")])
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0  # tinggi: not the Kanwil either
    urgent = warning_record()
    push(people.ani, [urgent])
    assert {(n.user.username, n.warning_id) for n in db.session.scalars(select(Notice))} == {
        ("maya", urgent["id"]),
        ("wati", urgent["id"]),
    }


def test_a_high_warning_tells_the_kanim_only_and_an_ordinary_one_nobody(app, people, ctx):
    high, ordinary = warning_record(urgency="tinggi"), warning_record(urgency="biasa")
    push(people.ani, [high, ordinary])
    assert [(n.user.username, n.warning_id, n.reason) for n in db.session.scalars(select(Notice))] == [
        ("maya", high["id"], "new")
    ]


def test_a_warning_stored_alone_notifies_once_whatever_its_edits(app, people, ctx):
    first = warning_record(urgency="tinggi")
    edited = {
        **first,
        "updated_at": utcnow().isoformat() + "Z",
        "data": {**first["data"], "description": "Lagi."},
    }
    push(people.ani, [first, edited])  # an id twice in a batch: stored one by one
    push(people.ani, [{**edited, "updated_at": (utcnow() + timedelta(seconds=1)).isoformat() + "Z"}])
    assert [(n.user.username, n.warning_id) for n in db.session.scalars(select(Notice))] == [
        ("maya", first["id"])
    ]


def statements_of(records, officer_id):
    """The SQL statements a push of these records runs."""
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        push(officer_id, records)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return statements


def test_a_push_without_notifying_warnings_writes_no_notice_and_costs_no_query(app, people, ctx):
    statements = statements_of([warning_record(urgency="biasa"), visit_record()], people.ani)
    assert not [s for s in statements if "notices" in s]
    assert db.session.scalar(select(func.count()).select_from(EarlyWarning)) == 1


def test_the_notices_of_a_whole_batch_cost_one_statement(app, people, ctx):
    batch = [warning_record(), warning_record(urgency="tinggi"), warning_record(), visit_record()]
    statements = statements_of(batch, people.ani)
    assert len([s for s in statements if "notices" in s]) == 1
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 5  # maya 3, wati 2


def test_an_unreachable_mail_server_leaves_the_notice_pending_and_shown(app, people, auth):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    with app.app_context():
        sent = warning_record(urgency="tinggi")
        push(people.ani, [sent])
        assert notices.run_once(db.session(), app.config) == (0, 0)
        [notice] = db.session.scalars(select(Notice)).all()
        assert (notice.status, notice.attempts) == ("pending", 1)
        assert "ConnectionRefused" in notice.last_error
        assert notice.next_try_at > utcnow()
        # tried again only when its time comes
        assert notices.run_once(db.session(), app.config) == (0, 0)
        assert db.session.get(Notice, notice.id, populate_existing=True).attempts == 1
    auth.login("maya")
    page = auth.client.get(f"/kelola/peringatan/{sent['id']}").get_data(as_text=True)
    assert "Maya" in page and "ConnectionRefused" in page
    assert "1 percobaan gagal" in page or "1 attempt failed" in page


def test_a_notice_whose_recipient_lost_their_address_is_given_up_and_the_others_go(app, people, inbox, auth):
    mail_to(app, inbox.port)
    with app.app_context():
        push(people.ani, [warning_record()])
        db.session.get(User, people.manager).email = None
        db.session.commit()
        assert notices.run_once(db.session(), app.config) == (0, 1)
        statuses = {n.user.username: (n.status, n.attempts) for n in db.session.scalars(select(Notice))}
        assert statuses == {"maya": ("failed", 1), "wati": ("sent", 1)}
    assert [rcpt for rcpt, _ in inbox.messages] == [["wati@kanwil.example.org"]]
    auth.login("maya")
    page = auth.client.get("/kelola/peringatan/" + the_warning_id(app)).get_data(as_text=True)
    assert "tidak lagi memiliki alamat e-mail" in page


def the_warning_id(app):
    with app.app_context():
        return db.session.scalar(select(Notice.warning_id))


def test_without_a_mail_server_notices_wait_and_say_so(app, people, auth):
    with app.app_context():
        sent = warning_record()
        push(people.ani, [sent])
        assert notices.run_once(db.session(), app.config) == (0, 0)
        assert {n.status for n in db.session.scalars(select(Notice))} == {"pending"}
    auth.login("maya")
    page = auth.client.get(f"/kelola/peringatan/{sent['id']}").get_data(as_text=True)
    assert "server e-mail" in page or "no mail server" in page


def test_two_senders_racing_send_each_notice_once(app, people, inbox):
    mail_to(app, inbox.port)
    with app.app_context():
        push(people.ani, [warning_record() for _ in range(15)])
        assert db.session.scalar(select(func.count()).select_from(Notice)) == 30
    counts, errors = [], []

    def sender():
        try:
            with app.app_context():
                counts.append(notices.send_due(db.session(), app.config, now=utcnow()))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(counts) == 30
    delivered = [
        (rcpt[0], subject_of(m), text_of(m).split("peringatan/")[1][:36]) for rcpt, m in inbox.messages
    ]
    assert len(delivered) == 30 and len(set(delivered)) == 30
    with app.app_context():
        assert {n.status for n in db.session.scalars(select(Notice))} == {"sent"}
        assert {n.attempts for n in db.session.scalars(select(Notice))} == {1}


def test_a_warning_nobody_opened_is_escalated_to_the_kanwil_once(app, people, inbox, auth):
    mail_to(app, inbox.port)
    with app.app_context():
        maya = db.session.get(User, people.manager)
        wati = db.session.scalar(select(User).where(User.username == "wati"))
        wati.notify_urgencies = ""  # wati chose no notices: an escalation reaches her all the same
        maya.notify_urgencies = "segera,tinggi"
        db.session.commit()
        unopened, opened = warning_record(urgency="tinggi"), warning_record(urgency="tinggi")
        push(people.ani, [unopened, opened])
        arrived = db.session.get(EarlyWarning, unopened["id"]).received_at
        assert notices.run_once(db.session(), app.config, now=arrived + timedelta(minutes=1)) == (0, 2)
    auth.login("maya")
    auth.client.get(f"/kelola/peringatan/{opened['id']}")
    with app.app_context():
        config = app.config
        assert notices.run_once(db.session(), config, now=arrived + timedelta(hours=5)) == (0, 0)
        assert notices.run_once(db.session(), config, now=arrived + timedelta(hours=6, minutes=1)) == (1, 1)
        assert notices.run_once(db.session(), config, now=arrived + timedelta(hours=7)) == (0, 0)
        assert db.session.scalars(select(WarningEscalation.warning_id)).all() == [unopened["id"]]
        [escalated] = db.session.scalars(select(Notice).where(Notice.reason == "escalated")).all()
        assert (escalated.user.username, escalated.warning_id) == ("wati", unopened["id"])
    rcpt, message = inbox.messages[-1]
    assert rcpt == ["wati@kanwil.example.org"] and unopened["id"] in text_of(message)
    page = auth.client.get("/kelola/peringatan").get_data(as_text=True)
    assert "Wati" in page  # who was told, on the list


def test_the_warning_page_records_who_opened_it_first(app, people, auth):
    with app.app_context():
        sent = warning_record()
        push(people.ani, [sent])
    auth.login("maya")
    page = auth.client.get(f"/kelola/peringatan/{sent['id']}").get_data(as_text=True)
    with app.app_context():
        [first] = db.session.scalars(select(WarningOpening)).all()
        assert (first.user_id, first.warning_id) == (people.manager, sent["id"])
        opened_at = first.opened_at
    auth.client.get(f"/kelola/peringatan/{sent['id']}")
    with app.app_context():
        [again] = db.session.scalars(select(WarningOpening)).all()
        assert again.opened_at == opened_at
    assert "Maya" in page.split("<h3>")[-1]  # under "opened by"
    listing = auth.client.get("/kelola/peringatan").get_data(as_text=True)
    assert "Maya" in listing


def test_the_background_sender_mails_after_the_push_commits(app, people, inbox, auth):
    mail_to(app, inbox.port)
    app.config["NOTICE_SENDER"] = True
    auth.login("ani")
    try:
        started = time.monotonic()
        assert auth.push([warning_record()]).status_code == 200
        while len(inbox.messages) < 2 and time.monotonic() - started < 20:
            time.sleep(0.1)
        assert len(inbox.messages) == 2
    finally:
        app.extensions["notices"].stop()


def test_a_manager_gets_notices_in_the_language_they_chose(app, people, inbox, auth):
    mail_to(app, inbox.port)
    auth.login("maya")
    auth.client.set_cookie("lang", "en")
    data = {"email": "maya@kanim.example.org", "notify": ["segera"]}
    assert auth.submit("/akun/pemberitahuan", form_page="/akun", data=data).status_code == 302
    with app.app_context():
        push(people.ani, [warning_record()])
        notices.run_once(db.session(), app.config)
    [(_, message)] = [m for m in inbox.messages if m[0] == ["maya@kanim.example.org"]]
    assert "Urgency: Immediate (segera)" in text_of(message)
    assert "Illegal recruiter or calo" in text_of(message)


def test_a_manager_sets_their_address_and_urgencies_on_their_account_page(app, people, auth):
    auth.login("maya")
    answer = auth.submit(
        "/akun/pemberitahuan", form_page="/akun", data={"email": "bukan alamat", "notify": ["segera"]}
    )
    assert answer.status_code == 400
    answer = auth.submit(
        "/akun/pemberitahuan",
        form_page="/akun",
        data={"email": "WATI@kanwil.example.org", "notify": ["segera"]},
    )
    assert answer.status_code == 400  # another account's, in another case
    answer = auth.submit(
        "/akun/pemberitahuan",
        form_page="/akun",
        data={"email": "maya@kanim.example.org", "notify": ["segera"]},
    )
    assert answer.status_code == 302
    with app.app_context():
        maya = db.session.get(User, people.manager)
        assert (maya.email, notices.levels_of(maya)) == ("maya@kanim.example.org", ["segera"])


def test_a_manager_gives_an_account_its_address_on_the_user_form(app, people, auth):
    auth.login("maya")
    with app.app_context():
        budi = db.session.get(User, people.budi)
    path = f"/kelola/pengguna/{people.budi}"
    data = {"full_name": "Budi", "role": "manager", "office": str(people.kanim), "active": "y"}
    assert auth.submit(path, {**data, "email": "budi@@x"}).status_code == 400
    assert (
        auth.submit(path, {**data, "email": "budi@kanim.example.org", "notify": ["tinggi"]}).status_code
        == 302
    )
    with app.app_context():
        budi = db.session.get(User, people.budi)
        assert (budi.email, budi.notify_urgencies) == ("budi@kanim.example.org", "tinggi")


def test_a_warning_brought_in_from_a_file_notifies_as_a_pushed_one(app, people, auth):
    sent = warning_record(urgency="tinggi")
    auth.login("maya")
    send_file(auth.client, exported([sent]), name="pimpasa-ani.json")
    with app.app_context():
        assert [(n.user.username, n.warning_id) for n in db.session.scalars(select(Notice))] == [
            ("maya", sent["id"])
        ]


def test_send_notices_command_says_what_it_did(app, people, runner):
    with app.app_context():
        push(people.ani, [warning_record()])
    result = runner.invoke(args=["send-notices"])
    assert result.exit_code == 0
    assert "MAIL_SERVER" in result.output and "2 not sent" in result.output
