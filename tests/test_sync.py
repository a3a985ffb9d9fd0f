"""The sync rules, on the domain module alone (no client, no request)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from outreach import designations, revisions, sync
from outreach.extensions import db
from outreach.models import DesaBinaan, EarlyWarning, RecordVersion, User, Visit
from tests.conftest import today, visit_record
from tests.test_record_types import warning_record

pytestmark = pytest.mark.usefixtures("ctx")


def push(officer_id, records):
    results = sync.push(db.session, officer_id=officer_id, device_id="phone-1", records=records)
    db.session.commit()
    return results


def visits():
    return db.session.scalar(select(func.count()).select_from(Visit))


def test_a_valid_visit_is_accepted_with_a_revision_and_stored(world):
    record = visit_record()
    [result] = push(world.ani, [record])
    assert result == {"id": record["id"], "status": "accepted", "rev": 1}
    stored = db.session.get(Visit, record["id"])
    assert stored.officer_id == world.ani and stored.village_code == "15.71.01.1001"
    assert stored.purpose == "Koordinasi dengan kepala desa" and stored.accuracy == 12.5
    assert stored.device_id == "phone-1" and stored.rev == 1


def test_sending_the_same_record_again_stores_nothing_and_answers_duplicate(world):
    record = visit_record()
    push(world.ani, [record])
    [again] = push(world.ani, [record])
    assert again == {"id": record["id"], "status": "duplicate", "rev": 1}
    assert visits() == 1


def test_one_bad_record_never_fails_the_batch(world):
    good, bad_village, garbage = visit_record(), visit_record(village="15.71.01.1003"), "not a record"
    no_purpose = visit_record()
    no_purpose["data"]["purpose"] = ""
    results = push(world.ani, [good, bad_village, garbage, no_purpose])
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected", "rejected"]
    assert "village" in results[1]["errors"]
    assert "record" in results[2]["errors"]
    assert "purpose" in results[3]["errors"]
    assert visits() == 1


def test_a_visit_to_a_village_that_is_not_my_desa_binaan_is_rejected_with_a_reason(world):
    for code in ("15.71.01.1003", "15.71.01.1004", "15.71.01.1005", "99.99.99.9999"):
        [result] = push(world.ani, [visit_record(village=code)])
        assert result["status"] == "rejected"
        assert result["errors"]["village"] == ["Desa ini bukan termasuk desa binaan Anda."]


@pytest.mark.parametrize(
    "field, value",
    [
        ("occurred_at", "yesterday"),
        ("occurred_at", (datetime.now(UTC) + timedelta(days=2)).isoformat()),
        ("occurred_at", (datetime.now(UTC) - timedelta(days=800)).isoformat()),
        ("lat", 123.0),
        ("lng", "east"),
        ("accuracy", -5),
        ("purpose", "x" * 201),
        ("purpose", ["a", "list"]),
    ],
)
def test_bad_field_values_are_rejected_with_the_field_named(world, field, value):
    record = visit_record()
    record["data"][field] = value
    [result] = push(world.ani, [record])
    assert result["status"] == "rejected"
    assert field in result["errors"]


def test_a_position_needs_both_coordinates(world):
    record = visit_record()
    del record["data"]["lng"]
    [result] = push(world.ani, [record])
    assert result["status"] == "rejected" and "lng" in result["errors"]


@pytest.mark.parametrize(
    "envelope, field",
    [
        ({"id": "not-a-uuid"}, "id"),
        ({"type": "party"}, "type"),
        ({"updated_at": "soon"}, "updated_at"),
        ({"data": [1]}, "data"),
    ],
)
def test_a_bad_envelope_is_rejected_and_names_what_is_wrong(world, envelope, field):
    [result] = push(world.ani, [visit_record(**envelope)])
    assert result["status"] == "rejected" and field in result["errors"]


def test_a_time_without_offset_is_read_as_the_programs_time_zone(world):
    record = visit_record()
    record["data"]["occurred_at"] = "2026-01-05T09:30"
    record["updated_at"] = "2026-01-05T09:35:00+07:00"  # saved on the phone then, by the same clock
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sync, "utcnow", lambda: datetime(2026, 1, 6))
        push(world.ani, [record])
    assert db.session.get(Visit, record["id"]).occurred_at == datetime(2026, 1, 5, 2, 30)  # 09:30 WIB


def test_a_record_id_used_by_another_officer_is_rejected_not_overwritten(world):
    record = visit_record(village="15.71.01.1001")
    push(world.ani, [record])
    stolen = visit_record(village="15.71.01.1003", id=record["id"], updated_at=record["updated_at"])
    [result] = push(world.budi, [stolen])
    assert result["status"] == "rejected" and "id" in result["errors"]
    assert db.session.get(Visit, record["id"]).officer_id == world.ani


def later(record, seconds=60, **data):
    """Another version of a record, edited `seconds` after it."""
    when = datetime.fromisoformat(record["updated_at"]) + timedelta(seconds=seconds)
    return dict(record, updated_at=when.isoformat(), data=dict(record["data"], **data))


def test_an_edit_with_a_later_time_replaces_the_record_and_both_versions_are_kept(world):
    record = visit_record()
    push(world.ani, [record])
    [result] = push(world.ani, [later(record, purpose="Diubah")])
    assert result["status"] == "accepted" and result["rev"] == 2
    stored = db.session.get(Visit, record["id"])
    assert stored.purpose == "Diubah" and stored.version == 2
    assert [v.data["purpose"] for v in sync.history(db.session, record["id"])] == [
        "Koordinasi dengan kepala desa",
        "Diubah",
    ]


def test_on_two_devices_the_later_edit_wins_whatever_order_they_arrive_in(world):
    record = visit_record()
    push(world.ani, [record])
    first_device, second_device = (
        later(record, 60, purpose="Ponsel A"),
        later(record, 120, purpose="Ponsel B"),
    )
    push(world.ani, [second_device])
    [late] = push(world.ani, [first_device])
    assert late["status"] == "accepted" and late.get("superseded") is True
    assert db.session.get(Visit, record["id"]).purpose == "Ponsel B"
    kept = [v.data["purpose"] for v in sync.history(db.session, record["id"])]
    assert kept == ["Koordinasi dengan kepala desa", "Ponsel A", "Ponsel B"]
    [again] = push(world.ani, [first_device])
    assert again["status"] == "duplicate"


def test_voiding_keeps_the_record_and_marks_it_for_everyone(world):
    record = visit_record()
    push(world.ani, [record])
    voided = dict(later(record), voided=True)
    [result] = push(world.ani, [voided])
    assert result["status"] == "accepted"
    stored = db.session.get(Visit, record["id"])
    assert stored.voided is True and stored.purpose == "Koordinasi dengan kepala desa"
    ani = db.session.get(User, world.ani)
    [change] = sync.changes(db.session, user=ani, since=1, limit=10)["changes"]
    assert change["voided"] is True and change["version"] == 2


def test_voiding_a_record_the_server_never_accepted_stores_nothing(world):
    record = visit_record(village="15.71.01.1003")
    [result] = push(world.ani, [dict(record, voided=True)])
    assert result["status"] == "accepted" and "rev" not in result
    assert visits() == 0


def test_the_record_id_is_a_unique_key_in_the_database(world):
    record = visit_record()
    push(world.ani, [record])
    db.session.add(
        Visit(
            id=record["id"],
            officer_id=world.ani,
            village_code="15.71.01.1001",
            occurred_at=datetime(2026, 1, 1),
            purpose="x",
            notes="",
            client_updated_at=datetime(2026, 1, 1),
            device_id="",
            rev=99,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_id_is_one_record_whatever_its_type(world):
    visit = visit_record()
    push(world.ani, [visit])
    same_id = dict(warning_record(), id=visit["id"].upper(), updated_at=visit["updated_at"])
    [result] = push(world.ani, [same_id])
    assert result["status"] == "rejected" and result["errors"]["type"] == [
        "Id ini sudah dipakai catatan jenis lain (Kunjungan)."
    ]
    assert db.session.scalar(select(func.count()).select_from(EarlyWarning)) == 0


def test_the_database_itself_refuses_an_id_under_a_second_type(world):
    visit = visit_record()
    push(world.ani, [visit])
    db.session.add(
        EarlyWarning(
            id=visit["id"],
            officer_id=world.ani,
            village_code="15.71.01.1001",
            occurred_at=datetime(2026, 1, 1),
            category="other",
            urgency="biasa",
            description="x",
            people_involved="",
            source="seen",
            client_updated_at=datetime(2026, 1, 1),
            device_id="",
            rev=99,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_id_in_upper_case_is_the_same_record_as_in_lower_case(world):
    record = visit_record()
    upper = dict(record, id=record["id"].upper())
    [first] = push(world.ani, [upper])
    assert first["id"] == upper["id"]  # answered in the phone's own spelling, to find its record by
    [again] = push(world.ani, [record])
    assert again["status"] == "duplicate" and visits() == 1
    assert db.session.get(Visit, record["id"]) is not None


def test_a_void_whose_data_no_longer_validates_is_kept_and_the_older_version_never_revives_the_record(world):
    record = visit_record(village="15.71.01.1001")
    void = dict(later(record), voided=True)
    void["data"] = dict(void["data"], village="15.71.01.1003")  # not ani's village (any longer)
    [result] = push(world.ani, [void])
    assert result["status"] == "accepted" and visits() == 0
    [create] = push(world.ani, [record])  # the create was still on a second phone
    assert create["status"] == "accepted" and create["superseded"] is True
    stored = db.session.get(Visit, record["id"])
    assert stored.voided is True and stored.purpose == "Koordinasi dengan kepala desa"
    assert [v.voided for v in sync.history(db.session, record["id"])] == [False, True]
    [again] = push(world.ani, [void])
    assert again["status"] == "duplicate"


def test_a_void_is_final_even_for_an_edit_made_later_on_another_phone(world):
    record = visit_record()
    push(world.ani, [record])
    push(world.ani, [dict(later(record, 60), voided=True)])
    [edit] = push(world.ani, [later(record, 120, purpose="Diubah di ponsel lain")])
    assert edit["status"] == "accepted"
    stored = db.session.get(Visit, record["id"])
    assert stored.voided is True and stored.purpose == "Diubah di ponsel lain"
    [broken] = push(
        world.ani, [later(record, 180, purpose="")]
    )  # nothing to fix on a void: kept, not refused
    assert broken["status"] == "accepted" and db.session.get(Visit, record["id"]).voided is True
    assert len(sync.history(db.session, record["id"])) == 4


def test_an_edit_dated_ahead_of_the_servers_clock_is_rejected_and_never_wins(world):
    record = visit_record()
    push(world.ani, [record])
    future = later(record, 3 * 3600, purpose="Jam ponsel salah")
    [result] = push(world.ani, [future])
    assert result["status"] == "rejected" and "updated_at" in result["errors"]
    [real] = push(world.ani, [later(record, 60, purpose="Edit yang benar")])
    assert real["status"] == "accepted"
    assert db.session.get(Visit, record["id"]).purpose == "Edit yang benar"


def test_revisions_increase_with_every_stored_record(world):
    results = push(world.ani, [visit_record(), visit_record(), visit_record(village="15.71.01.1002")])
    assert [r["rev"] for r in results] == [1, 2, 3]
    assert revisions.current_revision(db.session) == 3


def test_changes_show_my_records_and_those_in_my_villages_but_no_others(world):
    mine = visit_record()
    push(world.ani, [mine])
    in_budis_village = visit_record(village="15.71.01.1003")
    push(world.budi, [in_budis_village])
    ani = db.session.get(User, world.ani)
    budi = db.session.get(User, world.budi)
    citra = db.session.get(User, world.citra)
    assert [c["id"] for c in sync.changes(db.session, user=ani, since=0, limit=100)["changes"]] == [
        mine["id"]
    ]
    assert [c["id"] for c in sync.changes(db.session, user=budi, since=0, limit=100)["changes"]] == [
        in_budis_village["id"]
    ]
    assert sync.changes(db.session, user=citra, since=0, limit=100)["changes"] == []


def test_a_second_officer_in_the_same_village_sees_the_first_ones_visit(world, app):
    from outreach.models import Assignment

    db.session.add(Assignment(officer_id=world.budi, desa_binaan_id=world.desa["15.71.01.1001"]))
    db.session.commit()
    record = visit_record()
    push(world.ani, [record])
    budi = db.session.get(User, world.budi)
    [change] = sync.changes(db.session, user=budi, since=0, limit=100)["changes"]
    assert change["id"] == record["id"] and change["mine"] is False and change["officer"]["username"] == "ani"
    assert (
        change["data"]["village"] == "15.71.01.1001"
        and change["data"]["purpose"] == "Koordinasi dengan kepala desa"
    )


def test_changes_are_paged_by_cursor_without_gaps_or_repeats(world):
    records = [visit_record() for _ in range(7)]
    push(world.ani, records)
    ani = db.session.get(User, world.ani)
    seen, since, more = [], 0, True
    while more:
        page = sync.changes(db.session, user=ani, since=since, limit=3)
        seen += [c["id"] for c in page["changes"]]
        since, more = page["next"], page["more"]
    assert seen == [r["id"] for r in records]
    assert sync.changes(db.session, user=ani, since=since, limit=3) == {
        "changes": [],
        "next": since,
        "more": False,
    }


def test_an_ended_designation_no_longer_accepts_visits(world):
    from outreach.models import DesaBinaan

    db.session.get(DesaBinaan, world.desa["15.71.01.1001"]).ended_on = datetime(2026, 1, 1).date()
    db.session.commit()
    [result] = push(world.ani, [visit_record()])
    assert result["status"] == "rejected" and "village" in result["errors"]


def dated(days_ago, village="15.71.01.1001"):
    record = visit_record(village=village)
    record["data"]["occurred_at"] = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    return record


@pytest.mark.parametrize("what_ended", ["assignment", "designation"])
def test_records_made_before_an_officer_left_a_village_are_accepted_when_they_arrive_later(world, what_ended):
    """A phone may hold a week of visits when the office takes the officer off the village or ends the
    designation: those made up to that day still count; one dated after it is refused with the day."""
    now = today()
    desa = db.session.get(DesaBinaan, world.desa["15.71.01.1001"])
    ended = now - timedelta(days=3)
    if what_ended == "assignment":
        designations.unassign(db.session, desa, db.session.get(User, world.ani), today=ended)
    else:
        designations.end(desa, ended_on=ended, today=now)
    db.session.commit()
    before, after = dated(5), dated(1)
    results = push(world.ani, [before, after])
    assert results[0]["status"] == "accepted"
    assert results[1]["status"] == "rejected" and str(ended.year) in results[1]["errors"]["village"][0]
    assert visits() == 1


def test_an_officer_put_back_on_a_village_records_there_again(world):
    now = today()
    desa, ani = db.session.get(DesaBinaan, world.desa["15.71.01.1001"]), db.session.get(User, world.ani)
    designations.unassign(db.session, desa, ani, today=now - timedelta(days=10))
    designations.assign(db.session, desa, ani, today=now)
    db.session.commit()
    [result] = push(world.ani, [dated(1)])
    assert result["status"] == "accepted"


def test_a_record_the_database_refuses_is_rejected_and_the_rest_of_its_batch_is_stored(world):
    """A batch of new records goes in together; when the database refuses it, each goes alone."""
    good, refused, also_good = visit_record(), visit_record(), visit_record(village="15.71.01.1002")
    # A version already stored under the refused record's id and time, without its id registered: the
    # database's unique key on (record_id, client_updated_at) refuses the record's first version.
    db.session.add(
        RecordVersion(
            record_type="visit",
            record_id=refused["id"],
            officer_id=world.ani,
            data={},
            client_updated_at=sync.parse_instant(refused["updated_at"]),
        )
    )
    db.session.commit()
    results = push(world.ani, [good, refused, also_good])
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"]
    assert "record" in results[1]["errors"]
    assert visits() == 2 and db.session.get(Visit, refused["id"]) is None
    assert sorted(r["rev"] for r in (results[0], results[2])) == [1, 2]
    assert revisions.current_revision(db.session) == 2


def test_a_record_and_its_edit_in_one_batch_keep_both_versions_and_the_edit_wins(world):
    record = visit_record()
    edit = later(record, 60, purpose="Edit dalam batch yang sama")
    results = push(world.ani, [record, edit, record])
    assert [r["status"] for r in results] == ["accepted", "accepted", "duplicate"]
    stored = db.session.get(Visit, record["id"])
    assert stored.purpose == "Edit dalam batch yang sama" and stored.version == 2
    assert len(sync.history(db.session, record["id"])) == 2


def test_new_records_and_duplicates_in_one_batch_take_consecutive_revisions(world):
    old = visit_record()
    push(world.ani, [old])
    first, second = visit_record(), visit_record(village="15.71.01.1002")
    results = push(world.ani, [first, old, second])
    assert [(r["status"], r["rev"]) for r in results] == [("accepted", 2), ("duplicate", 1), ("accepted", 3)]
    assert revisions.current_revision(db.session) == 3
    assert db.session.get(Visit, first["id"]).office_id == world.kanim


def test_nobody_sees_a_pushed_record_before_its_push_commits(app, world, monkeypatch):
    """New records are inserted before the revision lock with provisional revisions: until the push commits,
    another connection sees none of them (on SQLite too, where a savepoint alone would commit)."""
    seen_meanwhile = []
    number = sync._number

    def look_from_elsewhere(session, inserted, first, results):
        with db.engine.connect() as other:
            seen_meanwhile.append(other.scalar(select(func.count()).select_from(Visit)))
        number(session, inserted, first, results)

    monkeypatch.setattr(sync, "_number", look_from_elsewhere)
    results = push(world.ani, [visit_record(), visit_record()])
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    assert seen_meanwhile == [0]
    with db.engine.connect() as other:
        assert other.scalar(select(func.count()).select_from(Visit).where(Visit.rev > 0)) == 2
