"""Sessions, hand-outs and early warnings: each defined once, validated by the server, pulled back by phones."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from wtforms import StringField

from outreach import sync
from outreach.early_warnings import set_follow_up
from outreach.extensions import db
from outreach.field.views import client_labels
from outreach.models import EarlyWarning, EducationSession, Handout, User, Visit
from outreach.records import COVERING_TYPES, RECORD_TYPES, RecordType, VisitForm
from tests.conftest import visit_record

pytestmark = pytest.mark.usefixtures("ctx")


def record(type_, **data):
    base = visit_record()
    base["type"] = type_
    base["data"] = {
        k: v for k, v in base["data"].items() if k in ("village", "occurred_at", "lat", "lng", "accuracy")
    }
    base["data"].update(data)
    return base


def session_record(**data):
    fields = {
        "venue": "Balai desa",
        "topics": ["tppo", "passports"],
        "male_under_18": 3,
        "female_under_18": 4,
        "male_adult": 10,
        "female_adult": 12,
        "audience_groups": ["students"],
        "partners": ["timpora", "police"],
        "materials_used": "Leaflet TPPO",
        "notes": "",
    }
    fields.update(data)
    return record("session", **fields)


def handout_record(**data):
    fields = {"material": "kenali-tppo", "quantity": 25, "format": "printed", "recipient_group": "students"}
    fields.update(data)
    return record("handout", **fields)


def warning_record(**data):
    fields = {
        "category": "recruiter",
        "urgency": "segera",
        "description": "Calo menawarkan kerja ke Kamboja.",
        "people_involved": "Seorang laki-laki dari luar desa",
        "source": "villager",
    }
    fields.update(data)
    return record("warning", **fields)


def push(officer_id, records):
    results = sync.push(db.session, officer_id=officer_id, device_id="phone-1", records=records)
    db.session.commit()
    return results


def test_an_education_session_is_stored_with_its_audience_and_partners(world):
    sent = session_record()
    [result] = push(world.ani, [sent])
    assert result["status"] == "accepted"
    stored = db.session.get(EducationSession, sent["id"])
    assert stored.topics == ["tppo", "passports"] and stored.partners == ["timpora", "police"]
    assert RECORD_TYPES["session"].people_reached(stored) == 29 and stored.visit_id is None


def test_a_session_may_belong_to_a_visit_made_on_the_phone(world):
    visit = visit_record()
    sent = session_record(visit_id=visit["id"])
    assert [r["status"] for r in push(world.ani, [visit, sent])] == ["accepted", "accepted"]
    assert db.session.get(EducationSession, sent["id"]).visit_id == visit["id"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"topics": []}, "topics"),
        ({"topics": ["karaoke"]}, "topics"),
        ({"topics": "tppo"}, "topics"),
        ({"male_under_18": 0, "female_under_18": 0, "male_adult": 0, "female_adult": 0}, "male_under_18"),
        ({"male_adult": -1}, "male_adult"),
        ({"male_adult": 2.5}, "male_adult"),
        ({"female_adult": 20000}, "female_adult"),
        ({"venue": ""}, "venue"),
        ({"partners": ["army"]}, "partners"),
        ({"visit_id": "not-an-id"}, "visit_id"),
    ],
)
def test_a_session_with_bad_fields_is_rejected_naming_them(world, data, field):
    [result] = push(world.ani, [session_record(**data)])
    assert result["status"] == "rejected" and field in result["errors"]


def test_a_handout_of_a_catalogue_material_is_stored(world):
    sent = handout_record()
    [result] = push(world.ani, [sent])
    assert result["status"] == "accepted"
    stored = db.session.get(Handout, sent["id"])
    assert stored.material_slug == "kenali-tppo" and stored.quantity == 25 and stored.format == "printed"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"material": "tidak-ada"}, "material"),
        ({"material": "lama"}, "material"),  # withdrawn from the catalogue
        ({"quantity": 0}, "quantity"),
        ({"format": "fax"}, "format"),
        ({"recipient_group": ""}, "recipient_group"),
    ],
)
def test_a_bad_handout_is_rejected_naming_the_field(world, data, field):
    [result] = push(world.ani, [handout_record(**data)])
    assert result["status"] == "rejected" and field in result["errors"]


def test_an_early_warning_is_stored_and_its_follow_up_comes_back_to_the_phone(world):
    sent = warning_record()
    [result] = push(world.ani, [sent])
    assert result["status"] == "accepted"
    ani = db.session.get(User, world.ani)
    [change] = sync.changes(db.session, user=ani, since=0, limit=10)["changes"]
    assert change["follow_up"]["status"] == "new"
    cursor = change["rev"]
    set_follow_up(
        db.session,
        db.session.get(EarlyWarning, sent["id"]),
        status="follow_up",
        note="Diteruskan ke Polres",
        by_user_id=world.manager,
    )
    db.session.commit()
    [update] = sync.changes(db.session, user=ani, since=cursor, limit=10)["changes"]
    assert update["id"] == sent["id"]
    assert (
        update["follow_up"]["status"] == "follow_up" and update["follow_up"]["note"] == "Diteruskan ke Polres"
    )
    assert update["data"]["description"] == "Calo menawarkan kerja ke Kamboja."


@pytest.mark.parametrize(
    "data, field",
    [
        ({"urgency": "kemarin"}, "urgency"),
        ({"category": ""}, "category"),
        ({"description": ""}, "description"),
        ({"source": "rumor"}, "source"),
    ],
)
def test_a_bad_warning_is_rejected_naming_the_field(world, data, field):
    [result] = push(world.ani, [warning_record(**data)])
    assert result["status"] == "rejected" and field in result["errors"]


def test_every_type_checks_the_village_and_the_date(world):
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    for make in (session_record, handout_record, warning_record):
        [wrong_village] = push(world.ani, [make(village="15.71.01.1003")])
        [in_future] = push(world.ani, [make(occurred_at=future)])
        assert wrong_village["status"] == "rejected" and "village" in wrong_village["errors"]
        assert in_future["status"] == "rejected" and "occurred_at" in in_future["errors"]


@pytest.mark.parametrize("kind", RECORD_TYPES.values(), ids=RECORD_TYPES.keys())
def test_every_field_of_a_type_is_a_column_of_its_model_and_its_declarations_name_its_fields(kind):
    columns = set(sa_inspect(kind.model).columns.keys())
    assert [name for name in kind.field_names if kind.column(name) not in columns] == []
    assert set(kind.people_fields) <= set(kind.field_names)
    parts = {*kind.field_names, *(["people"] if kind.people_fields else [])}
    assert kind.summary_parts and set(kind.summary_parts) <= parts


def test_a_type_with_a_field_its_model_cannot_store_is_refused_when_the_registry_is_built():
    class MisspeltVisitForm(VisitForm):
        purpos = StringField("Purpose")

    with pytest.raises(TypeError, match="purpos"):
        RecordType("Visit", Visit, MisspeltVisitForm, "{purpose}")
    with pytest.raises(TypeError, match="venue"):
        RecordType("Visit", Visit, VisitForm, "{venue}")
    with pytest.raises(TypeError, match="people"):
        RecordType("Visit", Visit, VisitForm, "{purpose} · {people}")


def test_people_reached_is_one_sum_in_python_and_in_sql(world):
    kind = RECORD_TYPES["session"]
    sent = [session_record(), session_record(male_under_18=0, female_adult=1)]
    assert [r["status"] for r in push(world.ani, sent)] == ["accepted", "accepted"]
    stored = [db.session.get(EducationSession, s["id"]) for s in sent]
    assert [kind.people_reached(s) for s in stored] == [29, 15]
    assert db.session.scalar(select(func.sum(kind.people_sum()))) == 44


def test_only_visits_and_sessions_count_for_coverage_and_only_sessions_take_photos():
    assert [kind.name for kind in COVERING_TYPES] == ["visit", "session"]
    assert [kind.name for kind in RECORD_TYPES.values() if kind.has_photos] == ["session"]
    assert [kind.name for kind in RECORD_TYPES.values() if kind.has_follow_up] == ["warning"]


def test_the_phone_gets_each_types_summary_people_and_coverage_from_its_declaration(app):
    with app.test_request_context():
        labels = client_labels({name: kind.form() for name, kind in RECORD_TYPES.items()})
    for name, kind in RECORD_TYPES.items():
        assert labels[name]["summary"] == kind.summary
        assert labels[name]["people"] == list(kind.people_fields)
        assert labels[name]["counts_for_coverage"] is kind.counts_for_coverage
        assert all("%(count)s" in form for form in labels[name]["people_label"].values())


def test_a_village_page_summarises_each_record_as_its_type_declares_it(world, client, auth):
    sent = [visit_record(), session_record(venue="Balai desa"), handout_record(), warning_record()]
    assert [r["status"] for r in push(world.ani, sent)] == ["accepted"] * 4
    auth.login("maya")
    page = client.get("/kelola/desa/15.71.01.1001").get_data(as_text=True)
    assert "<p>Balai desa · 29 orang</p>" in page and "<p>Kenali TPPO \N{MULTIPLICATION SIGN} 25</p>" in page
    assert f'<a href="/kelola/peringatan/{sent[3]["id"]}">Segera · Perekrut ilegal atau calo</a>' in page
    assert f"<p>{sent[0]['data']['purpose']}</p>" in page
