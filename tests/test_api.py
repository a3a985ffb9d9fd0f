"""The sync API contract, through HTTP: who am I, push, pull, and errors that are always JSON."""

import json
import threading

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Visit
from tests.conftest import Auth, visit_record
from tests.test_record_types import session_record


def stored_visits(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Visit))


def test_me_names_the_user_office_villages_and_a_csrf_token(client, auth, world):
    auth.login("ani")
    body = client.get("/api/v1/me").get_json()
    assert body["user"]["username"] == "ani" and body["user"]["role"] == "officer"
    assert body["office"] == {"code": "kanim-jambi", "name": "Kanim Jambi"}
    assert [v["code"] for v in body["villages"]] == [
        "15.71.01.1002",
        "15.71.01.1001",
    ]  # by name: Legok, Sungai Putri
    assert (
        body["villages"][1]["path"] == ["Kota Jambi", "Kota Baru"]
        and body["villages"][1]["risk_level"] == "tinggi"
    )
    assert body["csrf_token"]
    assert body["limits"]["records"] > 0


def test_a_push_answers_one_result_per_record_in_order(app, client, auth, world):
    auth.login("ani")
    records = [visit_record(), visit_record(village="15.71.01.1003"), visit_record(village="15.71.01.1002")]
    response = auth.push(records)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["id"] for r in results] == [r["id"] for r in records]
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"]
    assert results[1]["errors"]["village"]
    assert stored_visits(app) == 2


def test_pushing_the_same_batch_twice_stores_each_record_once(app, client, auth, world):
    auth.login("ani")
    records = [visit_record(), visit_record()]
    auth.push(records)
    again = auth.push(records).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert stored_visits(app) == 2


def test_two_pushes_of_the_same_record_at_the_same_moment_make_one_row(app, world):
    record = visit_record()
    clients = [app.test_client() for _ in range(4)]
    tokens = []
    for c in clients:
        Auth(c).login("ani")
        tokens.append(Auth(c).token())
    barrier = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def send(i):
        barrier.wait()
        response = clients[i].post(
            "/api/v1/sync",
            json={"device_id": f"d{i}", "records": [record]},
            headers={"X-CSRFToken": tokens[i]},
        )
        answers[i] = (response.status_code, response.get_json()["results"][0]["status"])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(answers) == [(200, "accepted")] + [(200, "duplicate")] * (len(clients) - 1)
    assert stored_visits(app) == 1


def test_changes_give_my_records_after_a_cursor_and_the_next_cursor(client, auth, world):
    auth.login("ani")
    first, second = visit_record(), visit_record()
    auth.push([first])
    page = client.get("/api/v1/changes?since=0").get_json()
    assert [c["id"] for c in page["changes"]] == [first["id"]]
    assert page["changes"][0]["type"] == "visit" and page["changes"][0]["data"]["village"] == "15.71.01.1001"
    auth.push([second])
    later = client.get(f"/api/v1/changes?since={page['next']}").get_json()
    assert [c["id"] for c in later["changes"]] == [second["id"]] and later["more"] is False


@pytest.mark.parametrize(
    "method, path", [("get", "/api/v1/me"), ("post", "/api/v1/sync"), ("get", "/api/v1/changes")]
)
def test_not_logged_in_is_401_json_before_anything_else(client, method, path):
    response = getattr(client, method)(path, data="not json at all", content_type="application/json")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_a_push_without_the_csrf_token_is_refused_with_json(client, auth, world):
    auth.login("ani")
    response = client.post("/api/v1/sync", json={"device_id": "x", "records": [visit_record()]})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"


def test_a_push_with_a_stale_csrf_token_is_refused_and_a_fresh_one_works(app, client, auth, world):
    auth.login("ani")
    response = client.post(
        "/api/v1/sync",
        json={"device_id": "x", "records": [visit_record()]},
        headers={"X-CSRFToken": "IjEyMyI.stale.token"},
    )
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"
    assert auth.push([visit_record()]).status_code == 200


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", '{"records": "many"}', '{"device_id": 5, "records": []}', '"text"'],
)
def test_a_malformed_body_is_400_with_a_message(client, auth, world, body):
    auth.login("ani")
    response = client.post(
        "/api/v1/sync", data=body, content_type="application/json", headers={"X-CSRFToken": auth.token()}
    )
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_too_many_records_is_413_with_the_limit_in_the_message(app, client, auth, world):
    app.config["SYNC_MAX_RECORDS"] = 3
    auth.login("ani")
    response = auth.push([visit_record() for _ in range(4)])
    assert response.status_code == 413 and "3" in response.get_json()["message"]
    assert stored_visits(app) == 0


def test_too_large_a_body_is_413_with_the_limit_in_the_message(app, client, auth, world):
    auth.login("ani")
    limit = app.config["MAX_CONTENT_LENGTH"]
    record = visit_record()
    record["data"]["notes"] = "x" * limit
    response = auth.push([record])
    assert response.status_code == 413 and str(limit) in response.get_json()["message"]


def test_only_officers_push_and_pull(client, auth, world):
    auth.login("maya")
    assert client.get("/api/v1/me").status_code == 200
    assert auth.push([visit_record()]).status_code == 403
    assert client.get("/api/v1/changes?since=0").status_code == 403


def test_a_bad_cursor_is_400(client, auth, world):
    auth.login("ani")
    response = client.get("/api/v1/changes?since=-1")
    assert response.status_code == 400 and response.get_json()["message"]


def test_unknown_api_paths_and_methods_answer_json(client, auth, world):
    auth.login("ani")
    assert client.get("/api/v1/nothing").get_json()["error"] == "not_found"
    response = client.get("/api/v1/sync")
    assert response.status_code == 405 and response.is_json


def test_an_api_message_comes_in_the_users_language(client, auth, world):
    auth.login("ani")
    client.set_cookie("lang", "id")
    response = client.post(
        "/api/v1/sync", data="{", content_type="application/json", headers={"X-CSRFToken": auth.token()}
    )
    assert response.get_json()["message"] == "Isi permintaan bukan JSON yang valid."


def test_a_nul_character_in_a_record_never_fails_the_batch(app, client, auth, world):
    auth.login("ani")
    record, other = visit_record(), visit_record()
    record["data"]["purpose"] = "Koordinasi\x00 dengan kades"
    response = auth.push([record, other], device_id="phone\x00-1")
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["accepted", "accepted"]
    with app.app_context():
        assert db.session.get(Visit, record["id"]).purpose == "Koordinasi dengan kades"


@pytest.mark.parametrize("path", ["/kelola/desa/15.71%00", "/kelola/pengguna?semua=%00", "/panduan/a%00b"])
def test_a_nul_character_in_an_address_is_a_400_with_a_message(client, auth, world, path):
    auth.login("maya")
    response = client.get(path)
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)


RAW = "__raw__"  # stands for a JSON token written into the body as it is (1e400, Infinity, a lone surrogate)


def raw_body(records, device_id="phone-1", **raw):
    """A push body as text, each RAW marker replaced by the JSON text given for it, in order."""
    text = json.dumps({"device_id": device_id, "records": records})
    for token in raw.get("tokens", []):
        text = text.replace(f'"{RAW}"', token, 1)
    return text


def poison(kind, where, token):
    """A record of `kind` with one value replaced by a raw JSON token: in `data`, or in the envelope."""
    record = session_record() if kind == "session" else visit_record()
    if where in ("type", "updated_at", "id", "voided"):
        record[where] = RAW
    else:
        record["data"][where] = RAW
    return record


# Each was once a 500 that failed the whole batch; the phone sent the same batch again forever.
POISONS = [
    ("visit", "occurred_at", '"0001-01-01T00:00:00+14:00"', "occurred_at"),
    ("visit", "updated_at", '"9999-12-31T23:59:59-23:59"', "updated_at"),
    ("visit", "updated_at", '"2099-01-01T00:00:00Z"', "updated_at"),
    ("visit", "updated_at", '"1970-01-01T00:00:00Z"', "updated_at"),
    ("session", "male_adult", '"1e400"', "male_adult"),
    ("session", "male_adult", "1e400", "male_adult"),
    ("session", "male_adult", "Infinity", "male_adult"),
    ("session", "male_adult", str(10**400), "male_adult"),
    ("visit", "lat", "NaN", "lat"),
    ("visit", "lng", "-Infinity", "lng"),
    ("visit", "type", '["visit"]', "type"),
    ("visit", "type", '{"visit": 1}', "type"),
    ("visit", "id", '{"id": 1}', "id"),
    ("visit", "voided", '"yes"', "voided"),
]


@pytest.mark.parametrize("kind, where, token, field", POISONS)
def test_a_record_that_cannot_be_stored_is_rejected_and_the_rest_of_its_batch_is_stored(
    app, client, auth, world, kind, where, token, field
):
    auth.login("ani")
    before, bad, after = visit_record(), poison(kind, where, token), visit_record()
    response = client.post(
        "/api/v1/sync",
        data=raw_body([before, bad, after], tokens=[token]),
        content_type="application/json",
        headers={"X-CSRFToken": auth.token()},
    )
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"]
    assert field in results[1]["errors"] and results[1]["errors"][field][0]
    assert stored_visits(app) == 2


@pytest.mark.parametrize("where", ["purpose", "notes", "device_id"])
def test_a_lone_surrogate_is_stored_as_a_replacement_character_never_failing_the_batch(
    app, client, auth, world, where
):
    auth.login("ani")
    record, other = visit_record(), visit_record()
    if where == "device_id":
        body = raw_body([record, other], device_id=RAW, tokens=['"phone-\\ud83d"'])
    else:
        record["data"][where] = RAW
        body = raw_body([record, other], tokens=['"Sosialisasi \\ud83d selesai"'])
    response = client.post(
        "/api/v1/sync", data=body, content_type="application/json", headers={"X-CSRFToken": auth.token()}
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["accepted", "accepted"]
    with app.app_context():
        stored = db.session.get(Visit, record["id"])
        assert "\ufffd" in (stored.device_id if where == "device_id" else getattr(stored, where))


@pytest.mark.parametrize(
    "body, message",
    [
        ('{"records": []' + "," + '"x": ' + "[" * 5000 + "]" * 5000 + "}", "bersarang terlalu dalam"),
        ('{"records": [], "x": ' + "[" * 40 + "]" * 40 + "}", "bersarang terlalu dalam"),
        ('{"device_id": "p", "pending": 2147483648, "records": []}', "pending"),
        ('{"device_id": "p", "pending": -1, "records": []}', "pending"),
        ('{"device_id": "' + "p" * 101 + '", "records": []}', "device_id"),
        ("\xff\xfe{", "JSON"),
    ],
)
def test_a_body_no_phone_sends_is_a_400_that_says_why(client, auth, world, body, message):
    auth.login("ani")
    response = client.post(
        "/api/v1/sync", data=body, content_type="application/json", headers={"X-CSRFToken": auth.token()}
    )
    assert response.status_code == 400
    assert message in response.get_json()["message"]


def test_the_same_batch_through_the_import_page_stores_the_good_records_and_names_the_bad(
    app, client, auth, world
):
    from tests.test_manage import exported, send_file

    records = (
        [visit_record()] + [poison(kind, where, RAW) for kind, where, _, _ in POISONS] + [visit_record()]
    )
    text = exported(records).decode()
    for _, _, token, _ in POISONS:
        text = text.replace(f'"{RAW}"', token, 1)
    auth.login("maya")
    response = send_file(client, text.encode())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert stored_visits(app) == 2
    assert f"{len(POISONS)} rejected" in page or f"{len(POISONS)} ditolak" in page
    deep = (
        exported([visit_record()])
        .decode()
        .replace('"records"', '"x": ' + "[" * 5000 + "]" * 5000 + ', "records"')
    )
    assert send_file(client, deep.encode()).status_code == 400
