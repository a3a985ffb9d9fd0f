"""No query string sent to a managers' page is answered 5xx: every GET route of the managers' blueprint, its
path filled with real ids, gets hostile values under every key a managers' page reads, as a manager and as an
admin."""

import io
from datetime import timedelta
from typing import ClassVar
from urllib.parse import quote

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from outreach import guidance, proposals
from outreach.extensions import db
from outreach.models import Contact, Material, User
from outreach.records import RECORD_TYPES
from tests.conftest import Auth, today
from tests.test_record_types import session_record, warning_record

# Keys the managers' pages read (grep request.args in outreach/manage), all sent at once; each page also gets
# every hostile value under each key it is seen to read.
KEYS = (
    "from",
    "to",
    "period",
    "region",
    "sebelum",
    "oleh",
    "entity",
    "entity_id",
    "semua",
    "status",
    "office",
    "month",
    "village",
    "q",
)
# Values as they come after the "=", already percent-encoded.
HOSTILE = {
    "huge number": "9" * 20,
    "past any float": "1" + "0" * 400,
    "negative": "-1",
    "negative huge": "-" + "9" * 20,
    "last day of the calendar": "9999-12-31",
    "first day of the calendar": "0001-01-01",
    "a month past the calendar": "10000-01",
    "month zero": "2026-00",
    "lone surrogate": "%ED%A0%BD",
    "invalid utf-8": "%FF%FE",
    "very long": "x" * 5000,
    "float": "1e400",
    "spaces": "%20%20",
    "empty": "",
}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def paths(app, world):
    """Each GET route of the managers' blueprint with its path filled from real rows: a session with a photo, a
    warning, a material with a file, a contact."""
    officer = app.test_client()
    auth = Auth(officer)
    auth.login("ani")
    session, warning = session_record(), warning_record()
    assert [r["status"] for r in auth.push([session, warning]).get_json()["results"]] == [
        "accepted",
        "accepted",
    ]
    photo_id = "7d3f4b7e-5f57-4c71-9a2b-3f0c8a1f6d11"
    answer = officer.put(
        f"/api/v1/photos/{photo_id}?type=session&record={session['id']}&kind=session",
        data=jpeg(),
        headers={"X-CSRFToken": auth.token(), "Content-Type": "image/jpeg"},
    )
    assert answer.status_code == 201
    with app.app_context():
        material = db.session.scalar(select(Material).where(Material.slug == "kenali-tppo"))
        material.file_name, material.file_type, material.file_data = "a.pdf", "application/pdf", b"%PDF-1.4"
        contact = Contact(key="hotline", kind="phone", name_id="Hotline", value="110")
        proposal = proposals.propose(
            db.session,
            material,
            guidance.snapshot(material),
            by=db.session.get(User, world.manager),
            file=(b"%PDF-1.4", "b.pdf", "application/pdf"),
        )
        db.session.add(contact)
        db.session.commit()
        material_id, contact_id, proposal_id = material.id, contact.id, proposal.id
    values = {
        "desa_id": world.desa["15.71.01.1001"],
        "material_id": material_id,
        "contact_id": contact_id,
        "proposal_id": proposal_id,
        "office_id": world.kanim,
        "user_id": world.ani,
        "photo_id": photo_id,
        "warning_id": warning["id"],
        "code": "15.71.01.1001",
        "month": (today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
        "kind": "cakupan",
        "fmt": "csv",
    }
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("manage.") and "GET" in rule.methods:
            found.append(
                rule.build({name: values[name] for name in rule.arguments - set(rule.defaults or ())})[1]
            )
    return found + [f"/kelola/ekspor/{kind}.xlsx" for kind in RECORD_TYPES]  # each record type's download too


class ReadArgs(ImmutableMultiDict):
    """A query string that notes which keys the page read, to send hostile values only under those."""

    read: ClassVar[set[str]] = set()

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        self.read.add(key)
        return super().getlist(key, type)


@pytest.mark.parametrize("username", ["maya", "root"])
def test_no_query_string_sent_to_a_managers_page_is_answered_5xx(app, client, paths, username):
    app.request_class = type("Request", (app.request_class,), {"parameter_storage_class": ReadArgs})
    Auth(client).login(username)
    assert len(paths) >= 25
    reads = {}
    for path in paths:  # each page answers as it should without a query string (the positive control)
        ReadArgs.read = set()
        assert client.get(path).status_code in (200, 403), path
        reads[path] = ReadArgs.read - {"csrf_token"}
    assert {"from", "to", "period", "region"} <= reads["/kelola/"]  # the probe sees what a page reads
    failures = []
    for path in paths:
        queries = [f"{key}={value}" for key in sorted(reads[path]) for value in HOSTILE.values()]
        queries += [f"{key}=1&{key}=2" for key in sorted(reads[path])]  # the same key twice
        queries += [
            "&".join(f"{key}={value}" for key in KEYS) for value in HOSTILE.values()
        ]  # every key at once
        for query in queries:
            try:  # the test app raises what a server would answer 500
                status = client.get(f"{path}?{query}").status_code
            except Exception as exc:  # noqa: BLE001 (every failure is collected, then shown at once)
                status = f"{type(exc).__name__}: {str(exc)[:100]}"
            if not isinstance(status, int) or status >= 500:
                failures.append(f"{path}?{query[:80]} -> {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=9999-12-31&to=9999-12-31", "Dates must be between 2000-01-01 and 2099-12-31."),
        ("from=0001-01-01&to=2026-01-01", "Dates must be between 2000-01-01 and 2099-12-31."),
        ("from=2026-13-01&to=2026-12-31", "Dates must be written as YYYY-MM-DD"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/kelola/", "/kelola/ekspor/cakupan.csv", "/kelola/peta.svg", "/api/v1/coverage"]
)
def test_a_date_out_of_range_is_a_400_that_says_so(client, world, path, query, message):
    Auth(client).login("maya")
    client.set_cookie("lang", "en")
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_an_audit_log_page_cursor_past_any_entry_shows_an_empty_page(client, world):
    Auth(client).login("root")
    assert client.get("/kelola/audit?sebelum=" + "9" * 20).status_code == 200
    assert client.get("/kelola/audit?sebelum=-5").status_code == 200
    assert client.get(f"/kelola/audit?sebelum={quote('1' * 400)}").status_code == 200


@pytest.mark.parametrize("since", ["9" * 20, "2147483648", "1" * 5000, "²", "-1", "1e3"])
def test_a_changes_cursor_that_is_no_revision_is_a_400_with_a_message(client, world, since):
    Auth(client).login("ani")
    response = client.get(f"/api/v1/changes?since={since}")
    assert response.status_code == 400 and response.get_json()["message"]
    assert client.get("/api/v1/changes?since=2147483647").get_json()["changes"] == []
