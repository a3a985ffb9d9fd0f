"""What an officer's phone asks for costs a fixed number of SQL statements, however many villages and records
there are: `/api/v1/me`, each page of `/api/v1/changes`, and the dashboard's "visit first" list.

A request's statements are counted from its view's start to its end (`counted_view`): the session lookup that
every request makes before its view (one SELECT, a commit each `sessions.TOUCH_EVERY`) is a fixed cost left
out. Each test measures a world, doubles it, and measures again: the bound holds and the count does not grow.
Run with `-s` to see the figures."""

import uuid
from datetime import UTC, date, datetime, timedelta
from functools import wraps

import pytest
from sqlalchemy import event

from outreach import coverage
from outreach.extensions import db
from outreach.manage.dashboard import PRIORITY_ROWS
from outreach.models import (
    Assignment,
    DesaBinaan,
    EarlyWarning,
    EducationSession,
    Handout,
    Office,
    Photo,
    Region,
    RegionLevel,
    RiskLevel,
    SyncState,
    User,
    Visit,
    WarningFollowUp,
)
from tests.conftest import Auth, make_user
from tests.figures import keep_figures

ME_MOST, CHANGES_MOST, VISIT_FIRST_MOST = 5, 10, 8
VILLAGES, RECORDS, PAGE = 30, 300, 100
OFFICERS_PER_VILLAGES = 10  # one more officer working in ani's villages for each ten of them


class Statements:
    """Count the statements sent to the database while `on`."""

    def __init__(self):
        self.on = False
        self.count = 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.count += 1

    def measure(self, action):
        """Run `action`; answer its result and the number of statements it sent."""
        self.on, self.count = True, 0
        try:
            result = action()
        finally:
            self.on = False
        return result, self.count


@pytest.fixture
def statements(app):
    counter = Statements()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


def counted_view(app, endpoint, counter, counts):
    """Wrap a view so that each of its calls appends the statements it sent to `counts`; the session lookup
    before it is not counted."""
    view = app.view_functions[endpoint]

    @wraps(view)
    def counted(*args, **kwargs):
        response, sent = counter.measure(lambda: view(*args, **kwargs))
        counts.append(sent)
        return response

    app.view_functions[endpoint] = counted


def grow(world, *, start, villages, records):
    """Add `villages` desa binaan of Kanim Jambi, in districts of regencies across two provinces, all looked
    after by ani, and `records` records of every type in them, made by ani and by other officers; every other
    warning has a follow-up and every other session a photo."""
    kanim = db.session.get(Office, world.kanim)
    ani = db.session.get(User, world.ani)
    first_rev = db.session.get(SyncState, 1).revision
    codes = []
    for n in range(start, start + villages):
        province = "61" if n % 2 else "62"
        regency, district = f"{province}.{10 + n // 10:02d}", f"{province}.{10 + n // 10:02d}.{n % 5 + 1:02d}"
        for code, level, parent in (
            (province, RegionLevel.province, None),
            (regency, RegionLevel.regency, province),
            (district, RegionLevel.district, regency),
        ):
            if db.session.get(Region, code) is None:
                db.session.add(
                    Region(code=code, name=f"{level.value} {code}", level=level, parent_code=parent)
                )
                db.session.flush()
        code = f"{district}.{2000 + n}"
        db.session.add(
            Region(code=code, name=f"Desa {n:03d}", level=RegionLevel.village, parent_code=district)
        )
        desa = DesaBinaan(
            village_code=code,
            office=kanim,
            risk_level=list(RiskLevel)[n % 3],
            designated_on=date(2025, 1, 6),
        )
        db.session.add(desa)
        db.session.add(Assignment(officer=ani, desa_binaan=desa))
        codes.append(code)
    others = [
        make_user(f"petugas{n}", "officer", kanim)
        for n in range(start, start + villages, OFFICERS_PER_VILLAGES)
    ]
    db.session.flush()
    officers = [ani, *others]
    now = datetime(2026, 11, 1, 8)
    for n in range(records):
        officer, code = officers[n % len(officers)], codes[n % len(codes)]
        at = now - timedelta(days=n % 200, hours=n % 7)
        common = {
            "id": str(uuid.uuid4()),
            "officer": officer,
            "officer_id": officer.id,
            "village_code": code,
            "occurred_at": at,
            "client_updated_at": at,
            "received_at": at,
            "rev": first_rev + n + 1,
        }
        kind = n % 4
        if kind == 0:
            db.session.add(Visit(**common, purpose="Koordinasi", notes=""))
        elif kind == 1:
            record = EducationSession(
                **common, venue="Balai desa", topics=["tppo"], male_adult=3, female_adult=4
            )
            db.session.add(record)
            if n % 8 == 1:
                db.session.add(
                    Photo(
                        id=str(uuid.uuid4()),
                        record_type="session",
                        record_id=record.id,
                        officer_id=officer.id,
                        content_type="image/jpeg",
                        sha256=f"{n:064d}",
                        size=3,
                        data=b"jpg",
                    )
                )
        elif kind == 2:
            db.session.add(
                Handout(
                    **common,
                    material_slug="kenali-tppo",
                    quantity=5,
                    format="printed",
                    recipient_group="youth",
                )
            )
        else:
            warning = EarlyWarning(
                **common, category="recruiter", urgency="segera", description="Calo", source="villager"
            )
            if n % 8 == 3:
                warning.follow_up = WarningFollowUp(status="follow_up", note="Dicek", rev=first_rev + n + 1)
            db.session.add(warning)
    db.session.get(SyncState, 1).revision = first_rev + records
    db.session.commit()


def pull_all(client):
    """Pull every page of changes from the start; answer how many changes came."""
    since, pulled, more = 0, 0, True
    while more:
        page = client.get(f"/api/v1/changes?since={since}").get_json()
        pulled += len(page["changes"])
        since, more = page["next"], page["more"]
    return pulled


def test_me_and_every_page_of_changes_take_a_fixed_number_of_statements(app, world, statements):
    app.config["CHANGES_PAGE_SIZE"] = PAGE
    me_counts, change_counts = [], []
    counted_view(app, "api.me", statements, me_counts)
    counted_view(app, "api.changes", statements, change_counts)
    figures = {}
    for size in (1, 2):
        with app.app_context():
            grow(world, start=(size - 1) * VILLAGES, villages=VILLAGES, records=RECORDS)
        # a fresh session: its lookup notes no last use (a commit that expires the user) during the count
        client = app.test_client()
        Auth(client).login("ani")
        me_counts.clear()
        change_counts.clear()
        me = client.get("/api/v1/me").get_json()
        pulled = pull_all(client)
        assert len(me["villages"]) == size * VILLAGES + 2  # and ani's two villages of the world
        assert pulled == size * RECORDS
        figures[f"{size * VILLAGES} villages, {size * RECORDS} records"] = {
            "me": me_counts[0],
            "changes per page": max(change_counts),
            "pages": len(change_counts),
        }
    keep_figures("query-counts", app, figures)
    small, large = figures.values()
    assert large["me"] <= ME_MOST and large["changes per page"] <= CHANGES_MOST
    assert large["me"] == small["me"] and large["changes per page"] == small["changes per page"]


def test_the_visit_first_list_takes_a_fixed_number_of_statements(app, world, statements):
    figures = {}
    with app.app_context():
        for size in (1, 2):
            grow(world, start=(size - 1) * VILLAGES, villages=VILLAGES, records=RECORDS)
            db.session.expunge_all()  # as a request starts: nothing loaded yet

            def shown():
                """The list and what the dashboard shows of each village in it."""
                urgent = coverage.priorities(
                    db.session, today=date(2026, 11, 2), offices={world.kanim}, limit=PRIORITY_ROWS, zone=UTC
                )
                return [(item.desa.village.name, item.desa.village.parent.name) for item in urgent]

            rows, sent = statements.measure(shown)
            assert len(rows) == PRIORITY_ROWS
            figures[f"{size * VILLAGES} villages"] = sent
            db.session.remove()
    keep_figures("query-counts-visit-first", app, figures)
    small, large = figures.values()
    assert large <= VISIT_FIRST_MOST
    assert large == small


def test_a_village_path_comes_from_its_parents_codes_not_from_its_own(app, client, auth, world):
    """The path of a village whose code does not start with its parents' codes is still its parents' names."""
    with app.app_context():
        db.session.add(
            Region(code="15.71.09", name="Pindahan", level=RegionLevel.district, parent_code="15.71")
        )
        db.session.get(Region, "15.71.01.1002").parent_code = "15.71.09"
        db.session.commit()
    auth.login("ani")
    paths = {v["code"]: v["path"] for v in client.get("/api/v1/me").get_json()["villages"]}
    assert paths == {
        "15.71.01.1001": ["Kota Jambi", "Kota Baru"],
        "15.71.01.1002": ["Kota Jambi", "Pindahan"],
    }


def test_a_logged_in_request_reads_its_user_once(app, client, auth, world, statements):
    """The session lookup loads the user; the hooks after the request's commit (whether the answer may be kept)
    read the user as it was loaded, not again from the database."""
    auth.login("maya")
    client.get("/healthz")  # the log-in's redirect is behind: this one's session lookup is the only statement
    answer, count = statements.measure(lambda: client.get("/healthz"))
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"  # the hook did see a logged-in user
    assert count == 1
