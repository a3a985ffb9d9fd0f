"""The phone checks a record with the server's rules: static/js/checks.js, run in node on each type's
`RecordType.rules()`, finds the same errors, in the same words beside the same fields, as `RecordType.validate`
on the server, for records drawn at random from each type's fields."""

import json
import shutil
import subprocess
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.records import MAX_AGE, RECORD_TYPES, _field_rules

CHECKS_JS = (Path(__file__).parent.parent / "static" / "js" / "checks.js").as_uri()
NOW = datetime(2026, 11, 28, 3, 0)  # naive UTC, as the server keeps moments
VILLAGES = {"15.71.01.1001": None, "15.71.01.1002": None}
MATERIALS = {"kenali-tppo"}

# Reads one {type, data} a line, answers the errors the phone finds, one JSON a line.
RUNNER = f"""
import {{ check }} from {json.dumps(CHECKS_JS)};
import {{ createInterface }} from 'node:readline';
const [rules, now] = JSON.parse(process.argv[1]);
for await (const line of createInterface({{ input: process.stdin }})) {{
  const {{ type, data }} = JSON.parse(line);
  process.stdout.write(JSON.stringify(check(data, rules[type], {{ now }})) + '\\n');
}}
"""


class Phone:
    """The phone's checker in a node process kept open for the whole test."""

    def __init__(self, rules):
        now = int(NOW.replace(tzinfo=UTC).timestamp() * 1000)
        self.process = subprocess.Popen(
            ["node", "--input-type=module", "-e", RUNNER, json.dumps([rules, now])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def check(self, type_, data):
        self.process.stdin.write(json.dumps({"type": type_, "data": data}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture
def phone(app):
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    with app.test_request_context():
        rules = {name: kind.rules() for name, kind in RECORD_TYPES.items()}
        checker = Phone(rules)
        yield checker
        checker.close()


def server(type_, data):
    _form, errors = RECORD_TYPES[type_].validate(data, villages=VILLAGES, materials=MATERIALS, now=NOW)
    return errors


def iso(moment, offset=None):
    """A naive UTC moment as the phone writes it (offset None), or at another offset."""
    if offset is None:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment.replace(tzinfo=UTC).astimezone(offset).isoformat()


# Values a field of each kind may bring, good and bad, as the phone or another client might send them.
moments = st.one_of(
    st.builds(
        iso,
        st.timedeltas(min_value=-MAX_AGE - timedelta(days=30), max_value=timedelta(days=3)).map(
            lambda d: NOW + d
        ),
        st.sampled_from(
            [None, UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3, minutes=-30))]
        ),
    ),
    st.sampled_from(
        ["2026-11-27T10:00", "2026-11-27 10:00:00", "2026-11-27", "2026-02-30T10:00", "kemarin", ""]
    ),
)
texts = st.one_of(
    st.sampled_from(["", "   ", "Balai desa", "x" * 200, "x" * 201, "é" * 200, "🙂" * 150]),
    st.text(max_size=30),
    st.integers(-5, 5),
)
numbers = st.one_of(
    st.integers(-200_000, 200_000),
    st.floats(-200, 200, allow_nan=False),
    st.sampled_from(["", " ", "abc", "12", "1e3", " 7 ", "1_000", "0x10", ".5", "5."]),
    st.sampled_from([0, 1, 2.5, 10_000, 10_001]),
)
ids = st.one_of(
    st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()), st.sampled_from(["", "nope", "x" * 70])
)
wrong_shapes = st.sampled_from([True, [], ["a"], {"a": 1}, None])


# The phone offers only the officer's villages and the catalogue's materials: the server alone checks those.
SERVER_LISTS = {"village": [*VILLAGES, "", "  "], "material": [*MATERIALS, ""]}


def value_of(name, rule):
    if name in SERVER_LISTS:
        return st.sampled_from(SERVER_LISTS[name])
    kind = rule["kind"]
    if kind == "checklist":
        choices = rule["choices"]
        good = st.lists(st.sampled_from(choices), unique=True, max_size=len(choices))
        return st.one_of(
            good, good.map(lambda v: [*v, "karaoke"]), st.sampled_from(["tppo", None, [1, True]])
        )
    if kind == "select":
        return st.one_of(st.sampled_from([*rule["choices"], "", "lain"]), texts)
    if kind == "datetime":
        return moments
    if kind == "reference":
        return ids
    if kind in ("number", "count"):
        return numbers
    return texts


@st.composite
def records(draw, rules):
    type_ = draw(st.sampled_from(sorted(rules)))
    data = {}
    for name, rule in rules[type_]["fields"].items():
        choice = draw(st.sampled_from(["value", "value", "value", "value", "absent", "shape"]))
        if choice == "value":
            data[name] = draw(value_of(name, rule))
        elif choice == "shape":
            data[name] = draw(wrong_shapes)
    return type_, data


def test_the_phone_finds_the_errors_the_server_finds_in_the_same_words(app, phone):
    with app.test_request_context():
        rules = {name: kind.rules() for name, kind in RECORD_TYPES.items()}

        @settings(
            max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
        )
        @given(records(rules))
        def agree(record):
            type_, data = record
            assert phone.check(type_, data) == server(type_, data)

        agree()


def complete(type_, **changes):
    """A record of the type the server accepts, changed by `changes` (None leaves a field out)."""
    base = {
        "visit": {"purpose": "Koordinasi"},
        "session": {"venue": "Balai desa", "topics": ["tppo"], "male_adult": 3},
        "handout": {
            "material": "kenali-tppo",
            "quantity": 5,
            "format": "printed",
            "recipient_group": "students",
        },
        "warning": {
            "category": "recruiter",
            "urgency": "segera",
            "description": "Calo",
            "source": "villager",
        },
    }[type_]
    data = {"village": "15.71.01.1001", "occurred_at": iso(NOW - timedelta(hours=2)), **base, **changes}
    return {name: value for name, value in data.items() if value is not None}


@pytest.mark.parametrize(
    "type_, changes, fields",
    [
        ("visit", {}, set()),
        ("session", {}, set()),
        ("handout", {}, set()),
        ("warning", {}, set()),
        # The walkthrough's session: nobody counted, no topic.
        ("session", {"topics": [], "male_adult": 0}, {"topics", "male_under_18"}),
        ("session", {"male_adult": None}, {"male_under_18"}),
        ("visit", {"purpose": "  ", "occurred_at": iso(NOW + timedelta(days=1))}, {"purpose", "occurred_at"}),
        # Characters Python counts as space and JavaScript does not (a pasted line end, a separator), and back.
        ("session", {"venue": "\x85\x1f"}, {"venue"}),
        ("session", {"venue": "\ufeff"}, set()),
        ("visit", {"occurred_at": iso(NOW - timedelta(days=400))}, {"occurred_at"}),
        ("visit", {"occurred_at": iso(NOW + timedelta(minutes=50))}, set()),
        ("visit", {"lat": -1.6}, {"lng"}),
        ("visit", {"lat": 91, "lng": 103.6}, {"lat"}),
        ("handout", {"quantity": 0, "format": "fax"}, {"quantity", "format"}),
        ("warning", {"urgency": None, "description": "x" * 5001}, {"urgency", "description"}),
    ],
)
def test_the_phone_and_the_server_agree_on_these_records(app, phone, type_, changes, fields):
    with app.test_request_context():
        data = complete(type_, **changes)
        errors = server(type_, data)
        assert set(errors) == fields
        assert phone.check(type_, data) == errors


def test_at_least_one_person_is_said_beside_the_first_count(app):
    with app.test_request_context():
        errors = server("session", complete("session", male_adult=0))
    assert errors == {"male_under_18": ["Hitung paling sedikit satu orang yang hadir."]}


def test_a_validator_the_phone_cannot_check_is_refused_when_rules_are_made(app):
    from wtforms import StringField
    from wtforms.validators import Email

    class Odd(RECORD_TYPES["visit"].form):
        email = StringField("Email", validators=[Email(message="Bad")])

    with app.test_request_context(), pytest.raises(TypeError, match="Email of email"):
        _field_rules(Odd().email)


def test_an_id_on_the_phone_in_any_case_is_one(app, phone):
    with app.test_request_context():
        data = complete("session", visit_id=str(uuid.uuid4()).upper())
        assert phone.check("session", data) == server("session", data) == {}
