"""The activity per village, office and month gives exactly the records' figures for any period: whatever wrote
the records (a push's batch, a record stored alone, an edit that moves it, a void), on both databases."""

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from outreach import activity, coverage, sync, village_activity
from outreach.extensions import db
from outreach.models import (
    DesaBinaan,
    EducationSession,
    Handout,
    Office,
    OfficeActivity,
    RecordId,
    RecordVersion,
    RiskLevel,
    VillageActivity,
    Visit,
    utcnow,
)
from outreach.village_activity import FIGURES, edges, whole_months
from tests.conftest import Auth, visit_record
from tests.test_migrations import add_officer_ani, fresh_app  # noqa: F401  (the fixture)

SOLOK_SIPIN = "15.71.01.1003"  # handed from Kanim Jambi to Kanim Bungo in the middle of the records' months
MURNI = "15.71.01.1005"  # no desa binaan: its records belong to no office
ANI_VILLAGES = ("15.71.01.1001", "15.71.01.1002")  # what ani may push records of
VILLAGES = (*ANI_VILLAGES, SOLOK_SIPIN, MURNI)
COUNTED = (Visit, EducationSession, Handout)
PEOPLE = ("male_under_18", "female_under_18", "male_adult", "female_adult")
# The records' months: from the first day of the month five months ago, about four months on (pushes take
# nothing older than a year, nor in the future).
ANCHOR = (utcnow() - timedelta(days=150)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
SPAN_MINUTES = 125 * 24 * 60
HANDOVER = (ANCHOR + timedelta(days=40)).date()


def iso(moment):
    return moment.isoformat() + "Z"


def figures_of(model, row):
    """What one stored record adds up to, as FIGURES, written out from the records' meaning."""
    if row.voided:
        return (0,) * 7
    if model is Visit:
        return (1, 0, 0, 0, 0, 0, 0)
    if model is EducationSession:
        mu, fu, ma, fa = (getattr(row, name) for name in PEOPLE)
        return (0, 1, mu + fu + ma + fa, mu + ma, fu + fa, mu + fu, 0)
    return (0, 0, 0, 0, 0, 0, row.quantity)


def added(into, key, counts):
    into[key] = tuple(a + b for a, b in zip(into.get(key, (0,) * 7), counts, strict=True))


def nonzero(by_key):
    return {key: counts for key, counts in by_key.items() if any(counts)}


def from_records(lo=None, hi=None, *, key):
    """The records' own figures in [lo, hi) by `key`, a function of a record."""
    out = {}
    for model in COUNTED:
        for row in db.session.scalars(select(model)):
            if lo is None or lo <= row.occurred_at < hi:
                added(out, key(row), figures_of(model, row))
    return nonzero(out)


def as_counts(figures):
    return nonzero({key: tuple(getattr(f, name) for name in FIGURES) for key, f in figures.items()})


def office_days():
    """The activity per office and day as stored, and as the records give it: visits and sessions of an office."""
    stored = {
        (r.office_id, r.day): (r.visits, r.sessions) for r in db.session.scalars(select(OfficeActivity))
    }
    counted = defaultdict(lambda: [0, 0])
    for i, model in enumerate((Visit, EducationSession)):
        for row in db.session.scalars(select(model)):
            if not row.voided and row.office_id is not None:
                counted[(row.office_id, row.occurred_at.date())][i] += 1
    return nonzero(stored), {key: tuple(counts) for key, counts in counted.items()}


def stored_rows():
    out = {}
    for row in db.session.scalars(select(VillageActivity)):
        added(out, (row.village_code, row.office_id, row.month), tuple(getattr(row, n) for n in FIGURES))
    return nonzero(out)


@pytest.fixture
def handed_over(ctx, world):
    """Solok Sipin passes from Kanim Jambi to Kanim Bungo in the middle of the records' months."""
    bungo = db.session.scalar(select(Office).where(Office.code == "kanim-bungo"))
    db.session.get(DesaBinaan, world.desa[SOLOK_SIPIN]).ended_on = HANDOVER - timedelta(days=1)
    db.session.add(
        DesaBinaan(
            village_code=SOLOK_SIPIN, office=bungo, risk_level=RiskLevel.sedang, designated_on=HANDOVER
        )
    )
    db.session.commit()
    return world


def clear_records():
    for table in (VillageActivity, OfficeActivity, Visit, EducationSession, Handout, RecordVersion, RecordId):
        db.session.execute(table.__table__.delete())
    db.session.commit()


moments = st.integers(0, SPAN_MINUTES).map(lambda m: ANCHOR - timedelta(days=10) + timedelta(minutes=m))
kinds = st.sampled_from(["visit", "session", "handout"])
people = st.fixed_dictionaries({name: st.integers(0, 40) for name in PEOPLE}).filter(
    lambda c: sum(c.values())
)
days = st.integers(-20, 160).map(lambda d: (ANCHOR + timedelta(days=d)).date())
# A period's first day: any day, or the first of a month (so that periods of whole months come up too).
firsts = st.one_of(days, days.map(lambda d: d.replace(day=1)))


def wire_data(kind, village, moment, counts, quantity):
    data = {"village": village, "occurred_at": iso(moment)}
    if kind == "visit":
        return data | {"purpose": "Koordinasi", "notes": ""}
    if kind == "session":
        return data | counts | {"venue": "Balai desa", "topics": ["tppo"], "audience_groups": ["students"]}
    return data | {
        "material": "kenali-tppo",
        "quantity": quantity,
        "format": "printed",
        "recipient_group": "students",
    }


def orm_record(kind, officer, village, moment, counts, quantity, voided):
    model = {"visit": Visit, "session": EducationSession, "handout": Handout}[kind]
    extra = {
        "visit": {"purpose": "x", "notes": ""},
        "session": counts | {"venue": "Balai", "topics": [], "audience_groups": [], "partners": []},
        "handout": {"material_slug": "kenali-tppo", "quantity": quantity, "format": "printed"}
        | {"recipient_group": "students"},
    }[kind]
    return model(
        id=str(uuid.uuid4()),
        officer_id=officer,
        village_code=village,
        occurred_at=moment,
        client_updated_at=moment,
        rev=0,
        version=1,
        voided=voided,
        **extra,
    )


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_figures_of_any_period_are_the_records_whatever_wrote_them(handed_over, data):
    clear_records()
    ani = handed_over.ani
    pushed = {}  # id: (kind, village, moment, counts, quantity), as last pushed
    clock = [utcnow() - timedelta(hours=3)]

    def later():
        clock[0] += timedelta(seconds=1)
        return iso(clock[0])

    for step in data.draw(
        st.lists(st.sampled_from(["push", "store", "push edit", "edit", "edit"]), min_size=1, max_size=10)
    ):
        if step == "push":  # a batch of new records (inserted together), some of them voids
            batch = []
            for _ in range(data.draw(st.integers(1, 4))):
                kind, village = data.draw(kinds), data.draw(st.sampled_from(ANI_VILLAGES))
                fields = (data.draw(moments), data.draw(people), data.draw(st.integers(1, 60)))
                record = {"id": str(uuid.uuid4()), "type": kind, "updated_at": later()}
                record["data"] = wire_data(kind, village, *fields)
                record["voided"] = data.draw(st.booleans()) and data.draw(st.booleans())
                batch.append(record)
                pushed[record["id"]] = (kind, village, *fields)
            results = sync.push(db.session, officer_id=ani, device_id="p", records=batch)
            assert all(r["status"] == "accepted" for r in results), results
        elif step == "store":  # a record stored alone through the ORM, in any village
            fields = (data.draw(moments), data.draw(people), data.draw(st.integers(1, 60)))
            db.session.add(
                orm_record(
                    data.draw(kinds),
                    ani,
                    data.draw(st.sampled_from(VILLAGES)),
                    *fields,
                    data.draw(st.booleans()),
                )
            )
        elif step == "push edit" and pushed:  # a later version: moved, recounted or voided
            record_id = data.draw(st.sampled_from(sorted(pushed)))
            kind, village, moment, counts, quantity = pushed[record_id]
            village = data.draw(st.sampled_from([village, *ANI_VILLAGES]))
            moment = data.draw(st.sampled_from([moment, data.draw(moments)]))
            counts, quantity = data.draw(
                st.sampled_from([(counts, quantity), (data.draw(people), data.draw(st.integers(1, 60)))])
            )
            pushed[record_id] = (kind, village, moment, counts, quantity)
            edit = {"id": record_id, "type": kind, "updated_at": later(), "voided": data.draw(st.booleans())}
            edit["data"] = wire_data(kind, village, moment, counts, quantity)
            [result] = sync.push(db.session, officer_id=ani, device_id="p", records=[edit])
            assert result["status"] == "accepted", result
        elif step == "edit":  # a record changed through the ORM: village, time, people or quantity, void
            model = data.draw(st.sampled_from(COUNTED))
            ids = sorted(db.session.scalars(select(model.id)))
            if ids:
                row = db.session.get(model, data.draw(st.sampled_from(ids)))
                if data.draw(st.booleans()):  # changed before its values are loaded again
                    db.session.expire(row)
                change = data.draw(st.sampled_from(["village", "time", "figures", "void"]))
                if change == "village":
                    row.village_code = data.draw(st.sampled_from(VILLAGES))
                elif change == "time":
                    row.occurred_at = data.draw(moments)
                elif change == "void":
                    row.voided = not row.voided
                elif model is EducationSession:
                    for name, value in data.draw(people).items():
                        setattr(row, name, value)
                elif model is Handout:
                    row.quantity = data.draw(st.integers(1, 60))
        db.session.commit()

    # The rows hold the records' figures by village, office and month.
    by_key = from_records(key=lambda r: (r.village_code, r.office_id, r.occurred_at.date().replace(day=1)))
    stored, counted = office_days()
    assert stored_rows() == by_key and stored == counted
    village_activity.refill(db.session.connection())  # as the benchmark fills them, past the ORM
    assert stored_rows() == by_key and office_days()[0] == counted
    # Any period's figures by village and by office are the records' in it.
    for _ in range(3):
        start = data.draw(firsts)
        end = start + timedelta(days=data.draw(st.integers(0, 130)))
        lo, hi = (
            datetime.combine(start, datetime.min.time()),
            datetime.combine(end + timedelta(days=1), datetime.min.time()),
        )
        for key in ("village_code", "office_id"):
            figures = coverage.activity_by(db.session, start=start, end=end, key=key, zone=UTC)
            assert as_counts(figures) == from_records(lo, hi, key=lambda r, k=key: getattr(r, k)), (
                start,
                end,
                key,
            )
        # and the chart's visits and sessions per office, by week, or by month over more than a quarter; also
        # for a period counted from the midnight of a zone east of UTC, as Indonesia's are (its first and last
        # hours from the records)
        for shift in (timedelta(0), timedelta(hours=data.draw(st.integers(1, 12)))):
            shifted = (lo - shift, hi - shift)
            chart = activity.activity(db.session, start=start, end=end, offices=None, zone=timezone(shift))
            # the figures by village of days in that zone: whole UTC months from the rows, the rest from records
            figures = coverage.activity_by(
                db.session, start=start, end=end, key="village_code", zone=timezone(shift)
            )
            assert as_counts(figures) == from_records(*shifted, key=lambda r: r.village_code)
            assert chart.by_month == ((end - start).days + 1 > activity.WEEKS_UP_TO_DAYS)
            drawn = {
                (line.office.id, first): count
                for line in chart.series
                for first, count in zip(chart.buckets, line.counts, strict=True)
                if count
            }
            expected = defaultdict(int)
            for model in (Visit, EducationSession):
                for row in db.session.scalars(select(model)):
                    if (
                        shifted[0] <= row.occurred_at < shifted[1]
                        and not row.voided
                        and row.office_id is not None
                    ):
                        day = (row.occurred_at + shift).date()  # weeks and months are the zone's
                        first = day.replace(day=1) if chart.by_month else day - timedelta(days=day.weekday())
                        expected[(row.office_id, max(first, start))] += 1
            assert drawn == dict(expected), (start, end, shift)


def test_a_period_is_its_whole_utc_months_and_the_days_on_either_side():
    def moment(text):
        return datetime.fromisoformat(text)

    lo, hi = moment("2026-01-15"), moment("2026-04-03")
    months = whole_months(lo, hi)
    assert months == (date(2026, 2, 1), date(2026, 4, 1))
    assert edges(lo, hi, months) == [(lo, moment("2026-02-01")), (moment("2026-04-01"), hi)]
    # months that fill the period: nothing from the records; under a month: nothing from the rows
    assert (
        edges(
            moment("2026-02-01"),
            moment("2026-04-01"),
            whole_months(moment("2026-02-01"), moment("2026-04-01")),
        )
        == []
    )
    assert whole_months(moment("2026-02-01"), moment("2026-02-28")) is None
    assert whole_months(moment("2025-12-31 17:00"), moment("2026-02-01")) == (
        date(2026, 1, 1),
        date(2026, 2, 1),
    )


def year_figures(client):
    today = date.today()
    start = today - timedelta(days=364)
    return client.get(f"/api/v1/coverage?region=15.71&from={start}&to={today}").get_json()["totals"]


def test_a_managers_year_shows_a_push_an_edit_and_a_void_as_soon_as_they_are_stored(app, world, client):
    """The year's figures read the months from the activity per village and month: a push, an edit that moves a
    session to another village and month, and a void show at once, and the desa binaan stop being covered."""
    officer, manager = Auth(app.test_client()), Auth(client)
    officer.login("ani")
    manager.login("maya")
    long_ago = (utcnow() - timedelta(days=200)).replace(microsecond=0)
    visit = visit_record(village="15.71.01.1001")
    visit["data"]["occurred_at"] = iso(long_ago)
    session = visit_record(village="15.71.01.1001")
    session.update(type="session")
    session["data"] = wire_data("session", "15.71.01.1001", long_ago, dict.fromkeys(PEOPLE, 5), 0)
    assert [r["status"] for r in officer.push([visit, session]).get_json()["results"]] == ["accepted"] * 2
    figures = year_figures(client)
    assert (figures["covered"], figures["visits"], figures["sessions"], figures["people"]) == (1, 1, 1, 20)

    moved = dict(session, updated_at=iso(utcnow() + timedelta(minutes=1)))
    moved["data"] = wire_data(
        "session", "15.71.01.1002", long_ago + timedelta(days=40), dict.fromkeys(PEOPLE, 6), 0
    )
    voided = dict(visit, updated_at=iso(utcnow() + timedelta(minutes=1)), voided=True)
    assert [r["status"] for r in officer.push([moved, voided]).get_json()["results"]] == ["accepted"] * 2
    figures = year_figures(client)
    assert (figures["covered"], figures["visits"], figures["sessions"], figures["people"]) == (1, 0, 1, 24)
    rows = client.get(
        f"/api/v1/coverage?region=15.71.01&from={date.today() - timedelta(days=364)}&to={date.today()}"
    )
    assert {r["code"]: r["covered"] for r in rows.get_json()["rows"] if r["desa_binaan"]} == {
        "15.71.01.1001": 0,
        "15.71.01.1002": 1,
        "15.71.01.1003": 0,
        "15.71.01.1004": 0,
    }


def test_upgrading_counts_the_records_stored_before(fresh_app):  # noqa: F811
    """Into the activity per village and month, and per office and day."""
    with fresh_app.app_context():
        upgrade(revision="f7a3c5e9b2d1")
        add_officer_ani()
        db.session.execute(text("INSERT INTO regions (code, name, level) VALUES ('15', 'Jambi', 'province')"))
        db.session.execute(
            text(
                "INSERT INTO materials (slug, kind, topics, published, title_id, title_en, summary_id, summary_en, "
                "body_id, body_en, sources, video_url, file_name, file_type, reviewed_by, version, updated_at) "
                "VALUES ('leaflet', 'leaflet', '[]', 1, 'L', '', '', '', '', '', '[]', '', '', '', '', 1, '2026-11-01')"
            )
        )
        common = (
            "occurred_at, version, client_updated_at, device_id, rev, received_at, officer_id, village_code"
        )
        for record_id, table, extra, values in [
            (
                "v1",
                "visits",
                "purpose, notes",
                "'2026-10-31 23:30:00', 1, '2026-11-01', '', 1, '2026-11-01', 1, '15', 'K', ''",
            ),
            (
                "v2",
                "visits",
                "purpose, notes",
                "'2026-11-01 00:30:00', 1, '2026-11-01', '', 2, '2026-11-01', 1, '15', 'K', ''",
            ),
            (
                "v3",
                "visits",
                "purpose, notes",
                "'2026-11-02 08:00:00', 1, '2026-11-02', '', 3, '2026-11-02', 1, '15', 'K', ''",
            ),
            (
                "s1",
                "education_sessions",
                "venue, topics, male_under_18, female_under_18, male_adult, female_adult, audience_groups, partners, "
                "materials_used, notes",
                "'2026-11-03', 1, '2026-11-03', '', 4, '2026-11-03', 1, '15', 'Balai', '[]', 1, 2, 3, 4, '[]', '[]', '', ''",
            ),
            (
                "h1",
                "handouts",
                "material_slug, quantity, format, recipient_group",
                "'2026-11-04', 1, '2026-11-04', '', 5, '2026-11-04', 1, '15', 'leaflet', 30, 'printed', 'public'",
            ),
        ]:
            voided = "1" if record_id == "v3" else "0"  # a void counts nothing
            kind = {"visits": "visit", "education_sessions": "session", "handouts": "handout"}[table]
            db.session.execute(
                text(
                    f"INSERT INTO record_ids (id, record_type, officer_id) VALUES ('{record_id}', '{kind}', 1)"
                )
            )
            db.session.execute(
                text(
                    f"INSERT INTO {table} (id, voided, {common}, {extra}) VALUES ('{record_id}', {voided}, {values})"
                )
            )
        db.session.execute(
            text(
                "INSERT INTO offices (id, code, name, kind, address, phone, whatsapp, hours) "
                "VALUES (1, 'kanim', 'Kanim', 'kanim', '', '', '', '')"
            )
        )
        for table in ("visits", "education_sessions"):  # the hand-out and v1 belong to no office
            db.session.execute(text(f"UPDATE {table} SET office_id = 1 WHERE id <> 'v1'"))
        db.session.commit()
        upgrade()
        rows = {
            (row.village_code, row.office_id, row.month): tuple(getattr(row, n) for n in FIGURES)
            for row in db.session.scalars(select(VillageActivity))
        }
        assert rows == {
            ("15", None, date(2026, 10, 1)): (1, 0, 0, 0, 0, 0, 0),
            ("15", 1, date(2026, 11, 1)): (1, 1, 10, 4, 6, 3, 0),
            ("15", None, date(2026, 11, 1)): (0, 0, 0, 0, 0, 0, 30),
        }
        days = {
            (r.office_id, r.day): (r.visits, r.sessions) for r in db.session.scalars(select(OfficeActivity))
        }
        assert days == {(1, date(2026, 11, 1)): (1, 0), (1, date(2026, 11, 3)): (0, 1)}
        db.session.remove()


def test_the_last_visit_or_session_of_each_village_is_found_in_the_last_days_or_before_them(ctx, world):
    """`last_activity` reads the last days once for the villages active in them, and looks the others up one by
    one: either way a void or a record after today never counts, and a visit and a session count alike."""
    today = date.today()
    noon = datetime.combine(today, datetime.min.time()) + timedelta(hours=5)

    def stored(model, village, days_ago, **fields):
        moment = noon - timedelta(days=days_ago)
        counts = dict.fromkeys(PEOPLE, 1) if model is EducationSession else {}
        record = orm_record(
            "session" if model is EducationSession else "visit", world.ani, village, moment, counts, 1, False
        )
        record.voided = fields.get("voided", False)
        db.session.add(record)

    stored(Visit, "15.71.01.1001", 2)  # in the last days
    stored(EducationSession, "15.71.01.1001", 30)
    stored(Visit, "15.71.01.1002", 40)  # before them: its session is later, its void and tomorrow's visit not
    stored(EducationSession, "15.71.01.1002", 35)
    stored(Visit, "15.71.01.1002", 3, voided=True)
    stored(Visit, "15.71.01.1002", -1)
    stored(Visit, MURNI, 400)
    db.session.commit()
    codes = {"15.71.01.1001", "15.71.01.1002", "15.71.01.1003", MURNI}
    expected = {
        "15.71.01.1001": noon - timedelta(days=2),
        "15.71.01.1002": noon - timedelta(days=35),
        MURNI: noon - timedelta(days=400),
    }
    assert coverage.last_activity(db.session, codes, today=today, zone=UTC) == expected
    in_view = coverage.desa_in_view(start=today, end=today, offices=None, region_code=coverage.NATION)
    assert coverage.last_activity(db.session, in_view, today=today, zone=UTC) == {
        code: moment for code, moment in expected.items() if code != MURNI
    }


def test_the_demos_records_are_in_the_activity_per_village_and_month(ctx):
    from outreach import demo

    demo.clear(db.session)
    with demo.jambi_regions() as regions:
        demo.build(db.session, regions=regions, password="hujan-sawit-kopi")
    db.session.commit()
    by_key = from_records(key=lambda r: (r.village_code, r.office_id, r.occurred_at.date().replace(day=1)))
    assert by_key and stored_rows() == by_key
    stored, counted = office_days()
    assert counted and stored == counted


def test_a_village_designated_later_keeps_its_earlier_records_of_no_office_apart(ctx, world):
    """Murni becomes a desa binaan after a visit there: that visit stays of no office (in no chart), the next one
    is the Kanim's, and a flush that changes both keeps each in its own row."""
    moment = ANCHOR + timedelta(days=3)
    earlier = orm_record("visit", world.ani, MURNI, moment, {}, 1, False)
    db.session.add(earlier)
    db.session.commit()
    kanim = db.session.get(Office, world.kanim)
    db.session.add(
        DesaBinaan(
            village_code=MURNI, office=kanim, risk_level=RiskLevel.rendah, designated_on=date(2020, 1, 1)
        )
    )
    db.session.commit()
    db.session.add(orm_record("session", world.ani, MURNI, moment, dict.fromkeys(PEOPLE, 2), 1, False))
    earlier.voided = True  # in the same flush as the new session
    db.session.commit()
    month = moment.date().replace(day=1)
    assert stored_rows() == {(MURNI, world.kanim, month): (0, 1, 8, 4, 4, 4, 0)}
    assert office_days()[0] == {(world.kanim, moment.date()): (0, 1)}
