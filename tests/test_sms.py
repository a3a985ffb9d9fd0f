"""Urgent early warnings by SMS: the coded text (the same the phone composes, checked against the vectors of
tests/js/sms.test.mjs), the gateway's webhook in the plain and the Android gateway's format behind its secret,
a warning stored once with its notices, refused when forged, replayed, malformed or out of the officer's
villages, and completed by the phone's later sync of the same id."""

import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from outreach import sms
from outreach.extensions import db
from outreach.models import EarlyWarning, Notice, Office, RecordId, RecordVersion, User
from outreach.records import MAX_PEOPLE
from outreach.vocabulary import URGENCY, WARNING_CATEGORY, WARNING_SOURCE
from tests.conftest import Auth, make_user, visit_record

SECRET = "3f2a9c0e1b7d4e5f8a6b2c1d0e9f8a7b3f2a9c0e1b7d4e5f8a6b2c1d0e9f8a7b"
# The same as VECTORS in tests/js/sms.test.mjs: the phone and the server make the same text.
VECTORS = [
    (
        (7, "5f0c1d7e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "15.71.01.1001", "segera", "recruiter", "villager", 3),
        datetime(2026, 12, 7, 15, 30),
        "PIMPASA W 7 L4GB27R2JNGF3DU7BINSYPKOL4 15.71.01.1001 segera recruiter villager 3 2612071530 BNOSMDPIZI",
    ),
    (
        (1234, "00000000-0000-4000-8000-000000000000", "15.71.01.1002", "tinggi", "non_procedural_departure"),
        datetime(2027, 1, 2, 3, 4),
        "PIMPASA W 1234 AAAAAAAAABAABAAAAAAAAAAAAA 15.71.01.1002 tinggi non_procedural_departure "
        "village_official 0 2701020304 LD7EJ6J7LA",
    ),
]
WEBHOOK_SECRET = "gateway-secret-123"
GATEWAY = "+6281200001111"


def message(officer_id, record_id, village="15.71.01.1001", urgency="segera", **changes):
    fields = {
        "officer_id": officer_id,
        "record_id": record_id,
        "village": village,
        "urgency": urgency,
        "category": "recruiter",
        "source": "villager",
        "people": 4,
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=30)).replace(
            tzinfo=None, second=0, microsecond=0
        ),
        "code": "",
        **changes,
    }
    return sms.Message(**fields)


@pytest.mark.parametrize("fields, when, text", VECTORS)
def test_the_server_composes_and_reads_the_text_the_phone_sends(fields, when, text):
    officer, record, village, urgency, category, *rest = fields
    source, people = rest or ("village_official", 0)
    sent = sms.Message(officer, record, village, urgency, category, source, people, when, "")
    assert sms.compose(sent, SECRET) == text and len(text) <= sms.MAX_LENGTH
    read = sms.parse(text.lower().replace(" ", "  "))  # any case, any spacing
    assert read == sms.Message(officer, record, village, urgency, category, source, people, when, text[-10:])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Halo pak, ada calo di desa",
        "PIMPASA W 7 L4GB27R2JNGF3DU7BINSYPKOL4 15.71.01.1001 segera recruiter villager 3 2612071530",  # cut
        "PIMPASA X 7 L4GB27R2JNGF3DU7BINSYPKOL4 15.71.01.1001 segera recruiter villager 3 2612071530 BNOSMDPIZI",
        "PIMPASA W x L4GB27R2JNGF3DU7BINSYPKOL4 15.71.01.1001 segera recruiter villager 3 2612071530 BNOSMDPIZI",
        "PIMPASA W 7 L4GB27R2JNGF3DU7BINSYPKOL 15.71.01.1001 segera recruiter villager 3 2612071530 BNOSMDPIZI",
        "PIMPASA W 7 L4GB27R2JNGF3DU7BINSYPKOL4 Sungai segera recruiter villager 3 2612071530 BNOSMDPIZI",
        "PIMPASA W 7 L4GB27R2JNGF3DU7BINSYPKOL4 15.71.01.1001 kilat recruiter villager 3 2612071530 BNOSMDPIZI",
        "PIMPASA W 7 L4GB27R2JNGF3DU7BINSYPKOL4 15.71.01.1001 segera recruiter villager -3 2612071530 BNOSMDPIZI",
        "PIMPASA W 7 L4GB27R2JNGF3DU7BINSYPKOL4 15.71.01.1001 segera recruiter villager 3 2613071530 BNOSMDPIZI",
        "PIMPASA W 7 L4GB27R2JNGF3DU7BINSYPKOL4 15.71.01.1001 segera recruiter villager 3 ²612071530 BNOSMDPIZI",
    ],
)
def test_a_text_not_in_the_format_is_refused_with_a_reason(text):
    with pytest.raises(sms.Refused) as refused:
        sms.parse(text)
    assert refused.value.status == 400 and refused.value.error == "malformed" and refused.value.message


def test_the_longest_warning_still_fits_one_sms():
    longest = sms.Message(
        10**9 - 1,
        str(uuid.uuid4()),
        "15.71.01.1001",
        max(URGENCY.values, key=len),
        max(WARNING_CATEGORY.values, key=len),
        max(WARNING_SOURCE.values, key=len),
        MAX_PEOPLE,
        datetime(2026, 12, 31, 23, 59),
        "",
    )
    text = sms.compose(longest, SECRET)
    assert len(text) <= sms.MAX_LENGTH and sms.parse(text).record_id == longest.record_id
    assert re.fullmatch(r"[A-Z0-9._ a-z]+", text)  # GSM-7's basic characters: one SMS, no Unicode


def test_a_code_proves_one_record_of_one_officer_only():
    sent = message(7, str(uuid.uuid4()))
    code = sms.proof(SECRET, sent.signed_text())
    other_record = message(7, str(uuid.uuid4()), occurred_at=sent.occurred_at)
    other_village = message(7, sent.record_id, village="15.71.01.1003", occurred_at=sent.occurred_at)
    assert sms.proof(SECRET, other_record.signed_text()) != code
    assert sms.proof(SECRET, other_village.signed_text()) != code
    assert sms.proof(SECRET[:-1] + "0", sent.signed_text()) != code


def test_an_officers_secret_changes_with_their_password(ctx, world):
    ani = db.session.get(User, world.ani)
    before = sms.officer_secret("key", ani)
    assert sms.officer_secret("key", ani) == before and sms.officer_secret("other key", ani) != before
    ani.set_password("another-password-1")
    assert sms.officer_secret("key", ani) != before


# --- the webhook ---------------------------------------------------------------------------------------------


@pytest.fixture
def gateway(app, world):
    """SMS warnings set up: the webhook's secret, Kanim Jambi's gateway number, maya with an e-mail address."""
    app.config.update(SMS_WEBHOOK_SECRET=WEBHOOK_SECRET, NOTICE_SENDER=False)
    with app.app_context():
        db.session.get(Office, world.kanim).sms_gateway = GATEWAY
        db.session.get(User, world.manager).email = "maya@kanim.example.org"
        db.session.commit()
    return world


def text_for(app, officer_id, record_id, **changes):
    """The SMS an officer's phone would compose, with the secret the server gives it."""
    sent = message(officer_id, record_id, **changes)
    with app.app_context():
        secret = sms.officer_secret(app.config["SECRET_KEY"], db.session.get(User, officer_id))
    return sms.compose(sent, secret)


def post(client, body, secret=WEBHOOK_SECRET, **kwargs):
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    if isinstance(body, (dict, list, str)) and "data" not in kwargs:
        return client.post("/api/v1/sms", json=body, headers=headers)
    return client.post("/api/v1/sms", data=body, headers={**headers, "Content-Type": "application/json"})


def android(text, number="+6281234567890"):
    """SMS Gateway for Android's `sms:received` webhook, as its documentation shows it."""
    return {
        "deviceId": "ffffffffceb0b1db0000018e937c815b",
        "event": "sms:received",
        "id": "Ey6ECgOkVVFjz3CL48B8C",
        "webhookId": "LreFUt-Z3sSq0JufY9uWB",
        "payload": {
            "messageId": "abc123",
            "message": text,
            "phoneNumber": number,
            "simNumber": 1,
            "receivedAt": "2024-06-22T15:46:11.000+07:00",
        },
    }


def warnings(app):
    with app.app_context():
        return list(db.session.scalars(select(EarlyWarning)))


def notices_of(app, warning_id):
    with app.app_context():
        return [
            (n.user.username, n.reason)
            for n in db.session.scalars(select(Notice).where(Notice.warning_id == warning_id))
        ]


@pytest.mark.parametrize("shape", ["plain", "android"])
def test_an_sms_from_the_gateway_stores_the_warning_and_tells_the_office(app, client, gateway, shape):
    record_id = str(uuid.uuid4())
    text = text_for(app, gateway.ani, record_id)
    body = (
        {"from": "+6281234567890", "text": text, "received_at": datetime.now(UTC).isoformat()}
        if shape == "plain"
        else android(text)
    )
    answer = post(client, body)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["id"] == record_id and answer.get_json()["status"] == "accepted"
    [warning] = warnings(app)
    assert (warning.id, warning.officer_id, warning.village_code, warning.urgency) == (
        record_id,
        gateway.ani,
        "15.71.01.1001",
        "segera",
    )
    assert warning.office_id == gateway.kanim and warning.sms_received_at is not None
    assert (warning.people_count, warning.people_involved, warning.category) == (4, "", "recruiter")
    assert notices_of(app, record_id) == [("maya", "new")]


def test_a_replayed_sms_stores_nothing_more(app, client, gateway):
    record_id = str(uuid.uuid4())
    body = {"from": "+6281234567890", "text": text_for(app, gateway.ani, record_id)}
    assert post(client, body).status_code == 201
    again = post(client, body)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert len(warnings(app)) == 1 and notices_of(app, record_id) == [("maya", "new")]


def test_the_phones_later_sync_completes_the_same_warning_without_a_second_notice(app, client, gateway):
    record_id = str(uuid.uuid4())
    text = text_for(app, gateway.ani, record_id)
    assert post(client, {"from": "+62812", "text": text}).status_code == 201
    sent = sms.parse(text)
    full = visit_record(id=record_id, type="warning")
    full["data"] = {
        "village": "15.71.01.1001",
        "occurred_at": sent.occurred_at.replace(tzinfo=UTC).isoformat(),
        "category": "recruiter",
        "urgency": "segera",
        "description": "Dua calo menjemput empat pemuda malam ini.",
        "people_involved": "Empat pemuda",
        "people_count": 4,
        "source": "villager",
    }
    full["updated_at"] = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()  # saved before the SMS came
    auth = Auth(client)
    auth.login("ani")
    before = auth.client.get("/api/v1/changes?since=0").get_json()["changes"]
    assert [c["sms_received_at"] is not None for c in before if c["id"] == record_id] == [True]
    [result] = auth.push([full]).get_json()["results"]
    assert result["status"] == "accepted" and "superseded" not in result
    [warning] = warnings(app)
    assert warning.description == "Dua calo menjemput empat pemuda malam ini."
    assert warning.people_involved == "Empat pemuda" and warning.sms_received_at is not None
    assert warning.version == 2
    assert notices_of(app, record_id) == [("maya", "new")]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecordId)) == 1
        assert db.session.scalar(select(func.count()).select_from(RecordVersion)) == 2
    assert auth.push([full]).get_json()["results"][0]["status"] == "duplicate"


def test_the_manager_reads_that_the_details_follow(app, client, gateway):
    record_id = str(uuid.uuid4())
    assert post(client, {"from": "+62812", "text": text_for(app, gateway.ani, record_id)}).status_code == 201
    Auth(client).login("maya")
    page = client.get(f"/kelola/peringatan/{record_id}").get_data(as_text=True)
    assert "rincian" in page.lower() or "details follow" in page.lower()
    assert "(sms)" not in page


@pytest.mark.parametrize(
    "case, status, error",
    [
        ("forged", 403, "forged"),
        ("other record", 403, "forged"),
        ("unknown officer", 403, "unknown_officer"),
        ("inactive officer", 403, "unknown_officer"),
        ("manager", 403, "unknown_officer"),
        ("not his village", 422, "rejected"),
        ("another officer's id", 409, "conflict"),
        ("truncated", 400, "malformed"),
    ],
)
def test_a_forged_or_wrong_sms_is_refused_logged_and_never_stored(
    app, client, gateway, caplog, case, status, error
):
    record_id = str(uuid.uuid4())
    text = text_for(app, gateway.ani, record_id)
    if case == "forged":
        text = text[:-10] + ("A" if text[-10] != "A" else "B") + text[-9:]
    elif case == "other record":  # a real code copied onto another record
        text = text.replace(sms.short_id(record_id), sms.short_id(str(uuid.uuid4())))
    elif case == "unknown officer":
        text = text.replace(f"W {gateway.ani} ", "W 999999 ")
    elif case == "inactive officer":
        with app.app_context():
            db.session.get(User, gateway.ani).active = False
            db.session.commit()
    elif case == "manager":
        text = text_for(app, gateway.manager, record_id)
    elif case == "not his village":  # budi's desa binaan
        text = text_for(app, gateway.ani, record_id, village="15.71.01.1003")
    elif case == "another officer's id":
        with app.app_context():
            db.session.add(RecordId(id=record_id, record_type="visit", officer_id=gateway.budi))
            db.session.commit()
    elif case == "truncated":
        text = text[:80]
    caplog.set_level(logging.WARNING, logger="outreach.sms")
    answer = post(client, {"from": "+6281234567890", "text": text})
    assert answer.status_code == status and answer.get_json()["error"] == error, answer.get_json()
    assert answer.get_json()["message"]
    assert warnings(app) == []
    assert any("SMS from +6281234567890 refused" in r.getMessage() for r in caplog.records)


def test_the_webhook_wants_the_gateways_secret_and_is_off_without_one(app, client, gateway):
    body = {"from": "+62812", "text": text_for(app, gateway.ani, str(uuid.uuid4()))}
    assert post(client, body, secret=None).status_code == 401
    assert post(client, body, secret="wrong").status_code == 401
    assert post(client, body, secret=WEBHOOK_SECRET + "x").status_code == 401
    app.config["SMS_WEBHOOK_SECRET"] = None
    off = post(client, body)
    assert off.status_code == 404 and off.get_json()["message"]
    assert warnings(app) == []


def signed(body, secret=WEBHOOK_SECRET, at=None):
    """Headers as SMS Gateway for Android signs a webhook, with its signing key set to `secret`."""
    timestamp = str(int(at if at is not None else time.time()))
    signature = hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    return {"X-Signature": signature, "X-Timestamp": timestamp, "Content-Type": "application/json"}


def test_the_android_gateways_own_signature_is_accepted_when_fresh_and_right(app, client, gateway):
    text = text_for(app, gateway.ani, str(uuid.uuid4()))
    body = json.dumps(android(text)).encode()
    stale = client.post("/api/v1/sms", data=body, headers=signed(body, at=time.time() - 600))
    wrong = client.post("/api/v1/sms", data=body, headers=signed(body, secret="another key"))
    tampered = client.post(
        "/api/v1/sms", data=body.replace(b"+6281234567890", b"+6280000000000"), headers=signed(body)
    )
    assert (stale.status_code, wrong.status_code, tampered.status_code) == (401, 401, 401)
    assert warnings(app) == []
    assert client.post("/api/v1/sms", data=body, headers=signed(body)).status_code == 201
    assert len(warnings(app)) == 1


def test_the_officers_phone_gets_its_secret_and_the_gateway_at_log_in(app, client, gateway):
    auth = Auth(client)
    auth.login("ani")
    me = client.get("/api/v1/me").get_json()
    with app.app_context():
        expected = sms.officer_secret(app.config["SECRET_KEY"], db.session.get(User, gateway.ani))
    assert me["sms"] == {
        "gateway": GATEWAY,
        "officer": gateway.ani,
        "secret": expected,
        "urgencies": ["segera", "tinggi"],
    }
    managers = Auth(app.test_client())
    managers.login("maya")
    assert managers.client.get("/api/v1/me").get_json()["sms"] is None


def test_a_manager_sets_the_offices_gateway_number(app, client, world):
    auth = Auth(client)
    auth.login("maya")
    page = f"/kelola/kantor/{world.kanim}"
    refused = auth.submit(page, {"sms_gateway": "0812 abc"})
    assert refused.status_code == 400
    saved = auth.submit(page, {"sms_gateway": "+62 812-0000-1111"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Office, world.kanim).sms_gateway == "+6281200001111"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def test_fuzzed_bodies_are_answered_4xx_never_5xx_and_store_nothing(app, client, gateway):
    valid = text_for(app, gateway.ani, str(uuid.uuid4()))
    bodies = st.one_of(
        json_values.map(json.dumps),
        st.builds(lambda text: json.dumps({"from": "+62812", "text": text}), st.text(max_size=200)),
        st.builds(
            lambda cut, noise: json.dumps({"from": "+62", "text": valid[:cut] + noise}),
            st.integers(0, len(valid)),
            st.text(max_size=12),
        ),
        st.builds(lambda payload: json.dumps({"event": "sms:received", "payload": payload}), json_values),
        st.binary(max_size=80).map(lambda raw: raw.decode("latin-1")),
        st.just('{"from": "+62", "text": "x"'),
        st.just("[" * 5000),
    )

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=bodies)
    def answered(body):
        answer = post(client, None, data=body.encode("utf-8", "surrogatepass"))
        assert 400 <= answer.status_code < 500, (body, answer.status_code, answer.get_data(as_text=True))
        assert "message" in answer.get_json()

    answered()
    assert warnings(app) == []


def test_an_officer_of_another_office_is_checked_against_his_own_villages(app, client, gateway):
    with app.app_context():
        kanwil = db.session.scalar(select(Office).where(Office.code == "kanwil-jambi"))
        dedi = make_user("dedi", "officer", kanwil)
        db.session.commit()
        dedi_id = dedi.id
    answer = post(client, {"from": "+62812", "text": text_for(app, dedi_id, str(uuid.uuid4()))})
    assert answer.status_code == 422 and "desa binaan" in answer.get_json()["message"]
