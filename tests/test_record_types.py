"""Sessions, hand-outs and early warnings: each defined once, validated by the server, pulled back by phones."""
from datetime import datetime, timedelta, timezone

import pytest

from outreach import sync
from outreach.extensions import db
from outreach.follow_up import set_follow_up
from outreach.models import EarlyWarning, EducationSession, Handout, User
from tests.conftest import visit_record

pytestmark = pytest.mark.usefixtures("ctx")


def record(type_, **data):
    base = visit_record()
    base["type"] = type_
    base["data"] = {k: v for k, v in base["data"].items() if k in ("village", "occurred_at", "lat", "lng", "accuracy")}
    base["data"].update(data)
    return base


def session_record(**data):
    fields = {
        "venue": "Balai desa", "topics": ["tppo", "passports"], "male_under_18": 3, "female_under_18": 4,
        "male_adult": 10, "female_adult": 12, "audience_groups": ["students"], "partners": ["timpora", "police"],
        "materials_used": "Leaflet TPPO", "notes": "",
    }
    fields.update(data)
    return record("session", **fields)


def handout_record(**data):
    fields = {"material": "kenali-tppo", "quantity": 25, "format": "printed", "recipient_group": "students"}
    fields.update(data)
    return record("handout", **fields)


def warning_record(**data):
    fields = {
        "category": "recruiter", "urgency": "segera", "description": "Calo menawarkan kerja ke Kamboja.",
        "people_involved": "Seorang laki-laki dari luar desa", "source": "villager",
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
    assert stored.people_reached == 29 and stored.visit_id is None


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
        ({"male_under_18": 0, "female_under_18": 0, "male_adult": 0, "female_adult": 0}, "female_adult"),
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
    set_follow_up(db.session, db.session.get(EarlyWarning, sent["id"]), status="follow_up",
                  note="Diteruskan ke Polres", by_user_id=world.manager)
    db.session.commit()
    [update] = sync.changes(db.session, user=ani, since=cursor, limit=10)["changes"]
    assert update["id"] == sent["id"]
    assert update["follow_up"]["status"] == "follow_up" and update["follow_up"]["note"] == "Diteruskan ke Polres"
    assert update["data"]["description"] == "Calo menawarkan kerja ke Kamboja."


@pytest.mark.parametrize(
    "data, field",
    [({"urgency": "kemarin"}, "urgency"), ({"category": ""}, "category"), ({"description": ""}, "description"),
     ({"source": "rumor"}, "source")],
)
def test_a_bad_warning_is_rejected_naming_the_field(world, data, field):
    [result] = push(world.ani, [warning_record(**data)])
    assert result["status"] == "rejected" and field in result["errors"]


def test_every_type_checks_the_village_and_the_date(world):
    future = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
    for make in (session_record, handout_record, warning_record):
        [wrong_village] = push(world.ani, [make(village="15.71.01.1003")])
        [in_future] = push(world.ani, [make(occurred_at=future)])
        assert wrong_village["status"] == "rejected" and "village" in wrong_village["errors"]
        assert in_future["status"] == "rejected" and "occurred_at" in in_future["errors"]
