"""The sync API contract, through HTTP: who am I, push, pull, and errors that are always JSON."""
import threading

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Visit
from tests.conftest import Auth, visit_record


def stored_visits(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Visit))


def test_me_names_the_user_office_villages_and_a_csrf_token(client, auth, world):
    auth.login("ani")
    body = client.get("/api/v1/me").get_json()
    assert body["user"]["username"] == "ani" and body["user"]["role"] == "officer"
    assert body["office"] == {"code": "kanim-jambi", "name": "Kanim Jambi"}
    assert [v["code"] for v in body["villages"]] == ["15.71.01.1002", "15.71.01.1001"]  # by name: Legok, Sungai Putri
    assert body["villages"][1]["path"] == ["Kota Jambi", "Kota Baru"] and body["villages"][1]["risk_level"] == "tinggi"
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
        response = clients[i].post("/api/v1/sync", json={"device_id": f"d{i}", "records": [record]},
                                   headers={"X-CSRFToken": tokens[i]})
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


@pytest.mark.parametrize("method, path", [("get", "/api/v1/me"), ("post", "/api/v1/sync"), ("get", "/api/v1/changes")])
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
    response = client.post("/api/v1/sync", json={"device_id": "x", "records": [visit_record()]},
                           headers={"X-CSRFToken": "IjEyMyI.stale.token"})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"
    assert auth.push([visit_record()]).status_code == 200


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", '{"records": "many"}', '{"device_id": 5, "records": []}', '"text"'],
)
def test_a_malformed_body_is_400_with_a_message(client, auth, world, body):
    auth.login("ani")
    response = client.post("/api/v1/sync", data=body, content_type="application/json",
                           headers={"X-CSRFToken": auth.token()})
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
    response = client.post("/api/v1/sync", data="{", content_type="application/json",
                           headers={"X-CSRFToken": auth.token()})
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
