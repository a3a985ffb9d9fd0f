"""The API does what its OpenAPI description says: the description is valid OpenAPI 3.1 and follows the code,
and generated requests (valid-shaped ones drawn from its schemas, mixed with hostile ones) to the sync, changes,
photos and coverage endpoints are answered with a documented status and body, never a 5xx."""

import io
import json
import logging
import os
import traceback
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from PIL import Image

from outreach.api.openapi import document
from outreach.records import RECORD_TYPES
from tests.conftest import Auth
from tests.figures import keep_figures

FINDINGS = "/tmp/team/findings-contract.md"
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "300"))  # each example sends 4 requests or more
VILLAGES = ["15.71.01.1001", "15.71.01.1002"]  # ani's desa binaan in the test world


@pytest.fixture
def described(app):
    with app.app_context():
        return document()


def inline(schema, spec):
    """The schema with every `$ref` into the document replaced by what it names (the schemas are not recursive)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return inline(spec["components"]["schemas"][name], spec)
        return {key: inline(value, spec) for key, value in schema.items()}
    if isinstance(schema, list):
        return [inline(item, spec) for item in schema]
    return schema


def test_the_description_is_valid_openapi_3_1_and_public(client, described):
    OpenAPIV31SpecValidator(described).validate()
    answer = client.get("/api/v1/openapi.json")  # nobody logged in
    assert answer.status_code == 200 and answer.get_json() == json.loads(json.dumps(described))


def test_the_description_names_every_record_type_and_field_the_server_validates(described):
    schemas = described["components"]["schemas"]
    for kind in RECORD_TYPES.values():
        data = schemas[kind.name.capitalize() + "Data"]
        assert list(data["properties"]) == kind.field_names
        assert set(kind.list_fields) == {
            name for name, field in data["properties"].items() if field.get("type") == "array"
        }
    assert "village" in schemas["VisitData"]["required"] and "notes" not in schemas["VisitData"]["required"]
    assert schemas["SessionData"]["properties"]["topics"]["items"]["enum"][0] == "tppo"
    assert schemas["PushResult"]["properties"]["status"]["enum"] == ["accepted", "duplicate", "rejected"]


@pytest.mark.parametrize("username", ["ani", "maya", "root"])
def test_who_am_i_is_answered_as_described_for_every_role(client, world, described, username):
    Auth(client).login(username)
    schema = inline(
        described["paths"]["/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
        described,
    )
    Draft202012Validator(schema).validate(client.get("/api/v1/me").get_json())


def test_every_api_route_is_described_and_every_described_path_is_a_route(app, described):
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<photo_id>", "{photo_id}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == set(described["paths"])


# --- generated requests -------------------------------------------------------------------------------------


def jpeg(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def drawn_from(schema: dict, **options):
    """hypothesis-jsonschema's strategy for a schema. Objects are built here from their properties (required
    ones always, the others sometimes): hypothesis-jsonschema 0.23's own object strategy fails on the
    Hypothesis this project uses (`'many' object has no attribute 'more'`)."""
    if "properties" in schema:
        properties = {name: drawn_from(sub, **options) for name, sub in schema["properties"].items()}
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: s for name, s in properties.items() if name in required},
            optional={name: s for name, s in properties.items() if name not in required},
        )
    for key in ("oneOf", "anyOf"):
        if key in schema and any("properties" in branch for branch in schema[key]):
            return st.one_of([drawn_from(branch, **options) for branch in schema[key]])
    return from_schema(schema, **options)


def moments(now: datetime):
    """Timestamps as phones write them: mostly recent, in any offset; some at the calendar's ends."""
    offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
    recent = st.builds(
        lambda age, zone: (now - timedelta(seconds=age)).astimezone(zone).isoformat(),
        st.integers(0, 300 * 86400),
        offsets,
    )
    extremes = st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00",
            "9999-12-31T23:59:59.999999",
            "2099-01-01T00:00:00Z",
            "1999-12-31T23:59:59Z",
            "2026-02-30T10:00:00Z",
            "not a time",
            "",
        ]
    )
    anywhen = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    return st.one_of(recent, recent, recent, extremes, anywhen)


RAW = "raw number here"  # a hostile value that is written into the JSON text as one of RAW_NUMBERS
HOSTILE_VALUES = st.sampled_from(
    [
        "\ud83d",
        "abc\udc00def",
        "x" * 6000,
        "",
        " ",
        None,
        True,
        [],
        {},
        ["visit"],
        {"a": 1},
        10**400,
        -(10**30),
        2**63,
        2147483648,
        1e308,
        -0.0,
        "1e400",
        "NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "٣",
        "²",
        "\x00",
        "\u202e",
        "15.71.01.1001",
        "kenali-tppo",
        "'; DROP TABLE visits; --",
        [[[[[]]]]],
        RAW,
        RAW,
        RAW,
    ]
)
RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 400, "1" + "0" * 5000]


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


class Traffic:
    """What the generated requests need: logged-in clients, ids already used, and every answer counted."""

    def __init__(self, app, described):
        self.app, self.spec = app, described
        self.officer, self.manager = app.test_client(), app.test_client()
        Auth(self.officer).login("ani")
        Auth(self.manager).login("maya")
        self.token = Auth(self.officer).token()
        self.stranger = app.test_client()
        self.used: list[tuple[str, str, str]] = []  # (id, type, updated_at) of records sent
        self.sessions: list[str] = []  # ids of sessions sent, for photos
        self.statuses: Counter = Counter()
        self.results: Counter = Counter()  # each pushed record's status
        self.reasons: Counter = Counter()  # the fields rejected records were rejected for
        self.mismatches: list[str] = []
        self.failures: list[str] = []
        self.reported: set[str] = set()  # failures written to FINDINGS already

    def send(self, endpoint: str, method: str, path: str, *, client=None, **kwargs):
        """Send one request, count its status, and check the answer against the description."""
        client = client or self.officer
        try:
            response = client.open(path, method=method.upper(), **kwargs)
        except Exception as exc:  # noqa: BLE001 (the test app raises what a server answers 500)
            self.statuses[(endpoint, 500)] += 1
            self.failure(endpoint, method, path, kwargs, exc)
            return None
        self.statuses[(endpoint, response.status_code)] += 1
        self.check(endpoint, method, path, response)
        if endpoint == "/sync" and response.status_code == 200:
            for result in response.get_json()["results"]:
                self.results[result["status"]] += 1
                for field in result.get("errors", {}):
                    self.reasons[field] += 1
        return response

    def check(self, endpoint, method, path, response):
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{method} {path[:120]} -> {status}")
            return
        answers = self.spec["paths"][endpoint][method]["responses"]
        if str(status) not in answers:
            self.mismatches.append(f"{method} {path[:120]}: status {status} is not described")
            return
        content = answers[str(status)].get("content", {}).get("application/json")
        if content is None:
            return
        try:
            body = json.loads(response.get_data())
        except ValueError:
            self.mismatches.append(f"{method} {path[:120]}: {status} is not JSON")
            return
        schema = inline(content["schema"], self.spec)
        errors = list(
            Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(body)
        )
        if errors:
            self.mismatches.append(
                f"{method} {path[:120]}: {status} body does not match: {errors[0].message[:300]}"
            )

    def failure(self, endpoint, method, path, kwargs, exc):
        lines = traceback.format_exception(exc)
        last = "".join(lines[-4:]).strip()
        sent = kwargs.get("data", b"")
        sent = sent if isinstance(sent, (bytes, str)) else repr(sent)
        key = f"{endpoint} {type(exc).__name__}: {str(exc)[:120]}"
        self.failures.append(key)
        if key in self.reported:
            return
        self.reported.add(key)
        dialect = self.app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
        with open(FINDINGS, "a", encoding="utf-8") as out:
            out.write(
                f"\n## {method.upper()} {endpoint} on {dialect}: {type(exc).__name__}\n\n"
                f"- path: `{path[:300]}`\n- body (first 600 bytes): `{sent[:600]!r}`\n\n```\n{last[-1500:]}\n```\n"
            )


def real(record: dict, traffic: Traffic, now: datetime, draw) -> dict:
    """Make a record drawn from the schema one the server can store: the officer's village, the catalogue's
    material, recent times; sometimes an id used before (an edit, a duplicate, another type, in upper case)."""
    data = record.get("data") if isinstance(record.get("data"), dict) else {}
    data["village"] = draw(st.sampled_from(VILLAGES))
    data["occurred_at"] = (now - timedelta(hours=draw(st.integers(1, 24 * 300)))).isoformat()
    if record["type"] == "handout":
        data["material"] = "kenali-tppo"
    if record["type"] == "session" and not any(
        data.get(k) for k in ("male_adult", "female_adult", "male_under_18")
    ):
        data["female_adult"] = 1
    if (data.get("lat") is None) != (data.get("lng") is None):
        data["lat"], data["lng"] = -1.61, 103.6
    record["data"] = data
    record["updated_at"] = (now - timedelta(seconds=draw(st.integers(0, 3600)))).isoformat()
    # drawn whatever was sent before: what Hypothesis draws may not depend on what earlier examples did
    again, pick = draw(st.sampled_from(range(5))) == 0, draw(st.integers(0, 2**20))
    how = draw(st.sampled_from(["edit", "duplicate", "other type", "upper case"]))
    # a new record's id: Hypothesis draws the same few UUIDs again and again
    fresh = str(uuid.UUID(int=draw(st.randoms(use_true_random=False)).getrandbits(128), version=4))
    if again and traffic.used:
        old_id, old_type, old_at = traffic.used[pick % len(traffic.used)]
        record["id"] = old_id.upper() if how == "upper case" else old_id
        if how == "duplicate":
            record["type"], record["updated_at"] = old_type, old_at
        elif how == "other type":
            record["type"] = next(name for name in RECORD_TYPES if name != old_type)
            record["updated_at"] = old_at
        else:
            record["type"] = old_type
    else:
        record["id"] = fresh
    return record


def hostile(record: dict, draw) -> dict:
    """Put a hostile value somewhere in a record: its envelope or a field of its data."""
    where = draw(st.sampled_from(["id", "type", "updated_at", "voided", "data", "field", "field", "field"]))
    value = draw(HOSTILE_VALUES)
    if where == "field" and isinstance(record.get("data"), dict):
        name = draw(
            st.sampled_from(
                sorted({*record["data"], "male_adult", "lat", "occurred_at", "topics", "quantity"})
            )
        )
        record["data"][name] = value
    else:
        record[where if where != "field" else "data"] = value
    return record


def push_bodies(traffic: Traffic, now: datetime):
    """Sync bodies as raw bytes: drawn from the description's schema, made real, some made hostile; and
    bodies no phone would send."""
    spec = traffic.spec
    push = inline(spec["components"]["schemas"]["Push"], spec)
    push["properties"]["records"]["maxItems"] = 4
    # the description's timestamps drawn as phones write them (mostly recent), under a format of the test's own,
    # and ids as phones make them (hypothesis-jsonschema 0.23 knows no "uuid" format: it draws any text)
    text = json.dumps(push["properties"]["records"]["items"])
    items = json.loads(text.replace('"date-time"', '"phone-time"').replace('"uuid"', '"phone-id"'))
    records = drawn_from(items, custom_formats={"phone-time": moments(now), "phone-id": st.uuids().map(str)})

    @st.composite
    def body(draw):
        kind = draw(st.sampled_from(["valid", "valid", "valid", "hostile", "hostile", "raw"]))
        if kind == "raw":
            return draw(raw_bodies())
        batch = [real(r, traffic, now, draw) for r in draw(st.lists(records, min_size=1, max_size=4))]
        if kind == "hostile":
            batch = [hostile(r, draw) if draw(st.booleans()) else r for r in batch] or batch
            batch[0] = hostile(batch[0], draw)
        for r in batch:
            if isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("type"), str):
                traffic.used.append((r["id"].lower(), r["type"], r.get("updated_at")))
                if r["type"] == "session":
                    traffic.sessions.append(r["id"])
        envelope = {
            "device_id": draw(st.sampled_from(["phone-1", "phone-2", "\ud83d", "x" * 101, 7])),
            "pending": draw(st.sampled_from([0, 3, 2147483648, -1, 10**400, "5", None])),
            "records": batch,
        }
        if draw(st.integers(0, 3)):
            envelope["device_id"], envelope["pending"] = "phone-1", 0
        text = json.dumps(envelope)
        while '"%s"' % RAW in text:  # numbers no JSON encoder writes
            text = text.replace('"%s"' % RAW, draw(st.sampled_from(RAW_NUMBERS)), 1)
        return text.encode("utf-8", "surrogatepass")

    return body()


def raw_bodies():
    good = '{"id": "%s", "type": "visit", "updated_at": "%s", "data": {"village": "15.71.01.1001"}}'
    return st.sampled_from(
        [
            b"",
            b"null",
            b"[]",
            b"{}",
            b'"records"',
            b'{"records": null}',
            b'{"records": {}}',
            b'{"records": [1, "a", null]}',
            b"{not json",
            b"\xff\xfe",
            b'{"records": [' + deep(5000).encode() + b"]}",
            deep(20).encode(),
            ('{"records": [%s]}' % deep(15)).encode(),
            b'{"records": [], "pending": NaN}',
            b'{"records": [], "pending": 1e400}',
            b'{"records": [], "device_id": "\\ud83d"}',
            b'{"records": [{"id": "\\ud800", "type": "visit"}]}',
            b'{"records": [{"type": {"a": 1}}, {"type": ["visit"]}]}',
            b'{"records": []}' + b" " * 10,
            ('{"records": [%s]}' % good % (uuid.uuid4(), "9999-12-31T23:59:59-23:59")).encode(),
            ('{"records": [%s]}' % good % (uuid.uuid4(), "0001-01-01T00:00:00+14:00")).encode(),
            ('{"records": [%s]}' % ", ".join([good % (uuid.uuid4(), "2026-01-01T00:00:00Z")] * 201)).encode(),
        ]
    )


def since_values():
    return st.one_of(
        st.integers(0, 10**6).map(str),
        st.sampled_from(
            [
                "",
                "-1",
                "9" * 20,
                "1" * 5000,
                "1e3",
                "²",
                "٣",
                "0x10",
                " 1",
                "1.5",
                "%ED%A0%BD",
                "2147483648",
                "2147483647",
            ]
        ),
        st.text(max_size=20).map(lambda t: quote(t.encode("utf-8", "surrogatepass"))),
    )


def day_values():
    return st.one_of(
        st.dates(date(2025, 1, 1), date(2027, 12, 31)).map(str),
        st.dates().map(str),
        st.sampled_from(
            [
                "9999-12-31",
                "0001-01-01",
                "2026-02-30",
                "20261201",
                "2026-W01",
                "-1",
                "9" * 20,
                "%ED%A0%BD",
                "",
                "x" * 3000,
            ]
        ),
    )


def photo_bodies():
    valid = jpeg()
    return st.sampled_from(
        [
            valid,
            valid,
            jpeg((400, 300)),
            b"\xff\xd8\xff",
            valid[: len(valid) // 2],
            b"\xff\xd8\xff" + b"\x00" * 500,
            b"GIF89a",
            b"",
            b"\xff\xd8\xff" + b"x" * (400 * 1024 + 1),
        ]
    )


def figures_of(statuses: Counter) -> dict:
    by_endpoint: dict = {}
    for (endpoint, status), count in sorted(statuses.items()):
        by_endpoint.setdefault(endpoint, {})[str(status)] = count
    return {"requests": sum(statuses.values()), "statuses": by_endpoint}


def test_generated_requests_are_answered_as_described_and_never_5xx(app, world, described, caplog):
    caplog.set_level(logging.ERROR, logger="outreach")
    traffic = Traffic(app, described)
    now = datetime.now(UTC)
    bodies = push_bodies(traffic, now)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )
    @given(data=st.data())
    def exchange(data):
        draw = data.draw
        body = draw(bodies)
        traffic.send(
            "/sync",
            "post",
            "/api/v1/sync",
            data=body,
            headers={"Content-Type": "application/json", "X-CSRFToken": traffic.token},
        )
        since = draw(since_values())
        query = draw(st.sampled_from([f"since={since}", f"since={since}&since=0", ""]))
        traffic.send("/changes", "get", f"/api/v1/changes?{query}")
        photo_id = draw(
            st.one_of(
                st.uuids().map(str),
                st.uuids().map(lambda u: str(u).upper()),
                st.sampled_from(["x", "%ED%A0%BD", "1" * 300]),
            )
        )
        pick = draw(st.integers(0, 2**20))
        record = draw(st.sampled_from(["sent", "sent", "'"]) | st.uuids().map(str))
        if record == "sent":
            record = traffic.sessions[pick % len(traffic.sessions)] if traffic.sessions else str(uuid.uuid4())
        record = record.encode(
            "utf-8", "surrogatepass"
        )  # an id sent as a lone surrogate goes percent-encoded
        kind = draw(st.sampled_from(["session", "attendance", "x"]))
        rtype = draw(st.sampled_from(["session", "session", "visit", "", "%ED%A0%BD"]))
        traffic.send(
            "/photos/{photo_id}",
            "put",
            f"/api/v1/photos/{photo_id}?type={rtype}&record={quote(record, safe='')}&kind={kind}",
            data=draw(photo_bodies()),
            headers={"Content-Type": "image/jpeg", "X-CSRFToken": traffic.token},
        )
        start, end = draw(day_values()), draw(day_values())
        region = draw(
            st.sampled_from(["15", "15.71", "15.71.01", "15.71.01.1001", "99", "", "%ED%A0%BD", "x" * 500])
        )
        traffic.send(
            "/coverage",
            "get",
            f"/api/v1/coverage?from={start}&to={end}&region={region}",
            client=traffic.manager,
        )
        if draw(st.sampled_from(range(20))) == 7:  # the wrong person: nobody, no token, the wrong role
            traffic.send(
                "/sync",
                "post",
                "/api/v1/sync",
                data=body,
                client=traffic.stranger,
                headers={"Content-Type": "application/json"},
            )
            traffic.send(
                "/sync",
                "post",
                "/api/v1/sync",
                data=body,
                client=traffic.manager,
                headers={"Content-Type": "application/json"},
            )
            traffic.send(
                "/sync", "post", "/api/v1/sync", data=body, headers={"Content-Type": "application/json"}
            )
            traffic.send("/coverage", "get", "/api/v1/coverage")
            traffic.send("/changes", "get", "/api/v1/changes", client=traffic.manager)

    exchange()
    # a record the server failed to store is answered `rejected` and logged: a 500 in all but name
    swallowed = [r for r in caplog.records if r.exc_info]
    for entry in swallowed:
        traffic.failure("/sync", "post", "/api/v1/sync", {"data": entry.getMessage()}, entry.exc_info[1])
    figures = {
        **figures_of(traffic.statuses),
        "records": dict(traffic.results),
        "rejected_for": dict(traffic.reasons),
    }
    keep_figures("fuzz", app, figures)
    assert figures["requests"] >= 4 * EXAMPLES
    assert not traffic.failures, (
        f"{len(traffic.failures)} answers 5xx or records the server failed to store:\n"
        + "\n".join(sorted(set(traffic.failures)))
    )
    assert not traffic.mismatches, f"{len(traffic.mismatches)} answers not as described:\n" + "\n".join(
        sorted(set(traffic.mismatches))[:40]
    )
    # the generated requests reached the storing paths, not only the refusals
    assert (
        traffic.results["accepted"]
        and traffic.statuses[("/photos/{photo_id}", 201)]
        and traffic.statuses[("/coverage", 200)]
    )
