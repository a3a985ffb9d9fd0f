"""Coverage figures: what counts as covered, sums that add up at every level, scope, and the priority list."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach import clock, coverage, periods
from outreach.early_warnings import set_follow_up
from outreach.extensions import db
from outreach.models import (
    DesaBinaan,
    EarlyWarning,
    EducationSession,
    Handout,
    Office,
    OfficeKind,
    Region,
    RegionLevel,
    RiskLevel,
    Visit,
)
from outreach.records import COVERING_TYPES
from tests.conftest import Auth

TODAY = date.today()
START = TODAY.replace(day=1) if TODAY.day > 3 else TODAY - timedelta(days=10)
N = 0


def when(days_ago=0):
    return datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=9) - timedelta(days=days_ago)


def add(model, officer_id, village, days_ago=0, **fields):
    global N
    N += 1
    db.session.add(
        model(
            id=f"00000000-0000-4000-8000-{N:012d}",
            officer_id=officer_id,
            village_code=village,
            occurred_at=when(days_ago),
            client_updated_at=when(days_ago),
            rev=N,
            version=1,
            voided=fields.pop("voided", False),
            **fields,
        )
    )


@pytest.fixture
def area(app, world):
    """Two regencies: Kota Jambi (kanim-jambi, four desa binaan in one district, one more in a second district)
    and Bungo (kanim-bungo, one desa binaan)."""
    with app.app_context():
        bungo = db.session.scalar(select(Office).where(Office.code == "kanim-bungo"))
        jambi = db.session.scalar(select(Office).where(Office.code == "kanim-jambi"))
        db.session.add_all(
            [
                Region(
                    code="15.71.02", name="Jambi Selatan", level=RegionLevel.district, parent_code="15.71"
                ),
                Region(
                    code="15.71.02.1001",
                    name="Pakuan Baru",
                    level=RegionLevel.village,
                    parent_code="15.71.02",
                ),
                Region(code="15.08", name="Kabupaten Bungo", level=RegionLevel.regency, parent_code="15"),
                Region(code="15.08.01", name="Tanah Tumbuh", level=RegionLevel.district, parent_code="15.08"),
                Region(
                    code="15.08.01.2001",
                    name="Tanah Tumbuh",
                    level=RegionLevel.village,
                    parent_code="15.08.01",
                ),
            ]
        )
        db.session.flush()
        db.session.add_all(
            [
                DesaBinaan(
                    village_code="15.71.02.1001",
                    office=jambi,
                    risk_level=RiskLevel.rendah,
                    designated_on=date(2025, 3, 1),
                ),
                DesaBinaan(
                    village_code="15.08.01.2001",
                    office=bungo,
                    risk_level=RiskLevel.tinggi,
                    designated_on=date(2025, 3, 1),
                ),
                DesaBinaan(
                    village_code="15.71.01.1005",
                    office=jambi,
                    risk_level=RiskLevel.sedang,
                    designated_on=date(2024, 1, 1),
                    ended_on=date(2024, 12, 31),
                ),  # ended before: not counted
            ]
        )
        ani, citra = world.ani, world.citra
        add(Visit, ani, "15.71.01.1001", purpose="x", notes="")
        add(Visit, ani, "15.71.01.1001", purpose="x", notes="", days_ago=1)
        add(Visit, ani, "15.71.01.1002", purpose="x", notes="", voided=True)  # voided: does not cover
        add(Visit, ani, "15.71.01.1002", purpose="x", notes="", days_ago=400)  # before the period
        add(
            EducationSession,
            ani,
            "15.71.02.1001",
            venue="Balai",
            topics=["tppo"],
            male_under_18=2,
            female_under_18=3,
            male_adult=10,
            female_adult=5,
            audience_groups=[],
            partners=[],
            materials_used="",
            notes="",
        )
        add(
            Handout,
            ani,
            "15.71.01.1001",
            material_slug="kenali-tppo",
            quantity=40,
            format="printed",
            recipient_group="students",
        )
        add(
            EarlyWarning,
            ani,
            "15.71.01.1003",
            category="recruiter",
            urgency="segera",
            description="x",
            people_involved="",
            source="villager",
        )
        add(
            EarlyWarning,
            ani,
            "15.71.01.1003",
            category="recruiter",
            urgency="biasa",
            description="y",
            people_involved="",
            source="villager",
        )
        add(Visit, citra, "15.08.01.2001", purpose="x", notes="")
        db.session.commit()
        closed = db.session.scalars(select(EarlyWarning).where(EarlyWarning.description == "y")).one()
        set_follow_up(db.session, closed, status="closed", note="Selesai", by_user_id=world.manager)
        db.session.commit()
        return {"jambi": jambi.id, "bungo": bungo.id}


def figures(region, offices=None):
    return coverage.coverage(
        db.session, region_code=region, start=START, end=TODAY, offices=offices, zone=clock.zone()
    )


@pytest.mark.usefixtures("ctx")
def test_covered_means_a_visit_or_session_in_the_period_and_voided_records_do_not_count(area):
    result = figures("15.71.01")
    by_code = {row.region.code: row.figures for row in result.rows}
    assert by_code["15.71.01.1001"].covered == 1 and by_code["15.71.01.1001"].visits == 2
    assert by_code["15.71.01.1002"].covered == 0 and by_code["15.71.01.1002"].visits == 0
    assert by_code["15.71.01.1003"].covered == 0 and by_code["15.71.01.1003"].open_warnings == 1
    assert by_code["15.71.01.1005"].desa_binaan == 0  # its designation ended before the period
    assert result.totals.desa_binaan == 4 and result.totals.covered == 1 and result.totals.rate == 0.25
    assert result.totals.materials == 40


@pytest.mark.usefixtures("ctx")
def test_the_children_add_up_to_the_parent_at_every_level(area):
    for code in ("15", "15.71", "15.71.01", "15.71.02", "15.08"):
        result = figures(code)
        summed = coverage.Figures()
        for row in result.rows:
            summed.add(row.figures)
        assert summed == result.totals, code
    province = figures("15")
    assert province.totals.desa_binaan == 6 and province.totals.covered == 3
    assert (
        province.totals.people == 20
        and province.totals.people_under_18 == 5
        and province.totals.people_female == 8
    )
    assert {row.region.code: row.figures.desa_binaan for row in province.rows} == {"15.71": 5, "15.08": 1}


@pytest.mark.usefixtures("ctx")
def test_the_provinces_add_up_to_the_nation_and_each_is_its_own_figures(area, world):
    db.session.add_all(
        [
            Region(code="16", name="Sumatera Selatan", level=RegionLevel.province),
            Region(code="16.71", name="Kota Palembang", level=RegionLevel.regency, parent_code="16"),
            Region(code="16.71.01", name="Ilir Barat", level=RegionLevel.district, parent_code="16.71"),
            Region(
                code="16.71.01.1001", name="Bukit Lama", level=RegionLevel.village, parent_code="16.71.01"
            ),
        ]
    )
    db.session.flush()
    palembang = Office(code="kanim-palembang", name="Kanim Palembang", kind=OfficeKind.kanim)
    db.session.add(
        DesaBinaan(
            village_code="16.71.01.1001",
            office=palembang,
            risk_level=RiskLevel.rendah,
            designated_on=date(2025, 1, 1),
        )
    )
    add(Visit, world.citra, "16.71.01.1001", purpose="x", notes="")
    db.session.commit()
    nation = figures(coverage.NATION)
    assert nation.region.level == RegionLevel.nation
    summed = coverage.Figures()
    for row in nation.rows:
        summed.add(row.figures)
        assert row.figures == figures(row.region.code).totals, row.region.code
    assert summed == nation.totals
    assert {row.region.code: row.figures.desa_binaan for row in nation.rows} == {"15": 6, "16": 1}
    assert nation.totals.covered == 4 and nation.totals.visits == 4
    assert nation.totals.covered == sum(nation.covered.values()) and len(nation.covered) == 7


@pytest.mark.usefixtures("ctx")
def test_open_warnings_are_those_reported_in_the_period_and_not_closed(area, world):
    add(
        EarlyWarning,
        world.ani,
        "15.71.01.1003",
        days_ago=400,
        category="recruiter",
        urgency="biasa",
        description="long ago",
        people_involved="",
        source="villager",
    )
    db.session.commit()
    assert (
        figures("15.71.01").totals.open_warnings == 1
    )  # today's open one; the closed one and last year's not
    since = coverage.coverage(
        db.session,
        region_code="15.71.01",
        start=TODAY - timedelta(days=400),
        end=TODAY,
        offices=None,
        zone=clock.zone(),
    )
    assert since.totals.open_warnings == 2


def test_covered_is_read_from_the_visits_and_sessions_counted_the_types_that_count_for_coverage():
    """coverage.per_village marks a village covered from its visits and sessions: a new covering type must be
    counted there too."""
    assert {kind.model for kind in COVERING_TYPES} == {Visit, EducationSession}


@pytest.mark.usefixtures("ctx")
def test_a_kanim_sees_only_its_own_desa_binaan(area):
    jambi = figures("15", offices={area["jambi"]})
    assert jambi.totals.desa_binaan == 5
    assert {row.region.code: row.figures.desa_binaan for row in jambi.rows} == {"15.71": 5, "15.08": 0}
    bungo = figures("15", offices={area["bungo"]})
    assert bungo.totals.desa_binaan == 1 and bungo.totals.visits == 1


@pytest.mark.usefixtures("ctx")
def test_the_priority_list_puts_high_risk_villages_never_visited_first(area, world):
    items = coverage.priorities(db.session, today=TODAY, offices=None, zone=clock.zone())
    order = [p.desa.village_code for p in items]
    never = [p for p in items if p.last_activity is None]
    assert [p.desa.risk_level for p in never] == sorted(
        (p.desa.risk_level for p in never), key=lambda r: -coverage.RISK_WEIGHT[r]
    )
    assert "15.71.01.1003" in order  # tinggi, never visited
    assert "15.71.01.1001" not in order  # visited today: someone has just been there
    assert "15.71.02.1001" not in order  # a session today takes it off too
    assert "15.71.01.1002" in order  # its visit today was voided: still waiting
    visited = [p for p in items if p.last_activity is not None]
    assert [p.score for p in visited] == sorted((p.score for p in visited), reverse=True)


@pytest.mark.usefixtures("ctx")
def test_a_desa_binaan_ended_today_leaves_the_priority_list_but_counts_in_todays_coverage(area, world):
    kasang = db.session.get(DesaBinaan, world.desa["15.71.01.1004"])
    assert "15.71.01.1004" in [
        p.desa.village_code
        for p in coverage.priorities(db.session, today=TODAY, offices=None, zone=clock.zone())
    ]
    kasang.ended_on = TODAY
    db.session.commit()
    assert "15.71.01.1004" not in [
        p.desa.village_code
        for p in coverage.priorities(db.session, today=TODAY, offices=None, zone=clock.zone())
    ]
    assert "15.71.01.1004" in figures("15.71.01").covered  # it was a desa binaan on this day


def test_the_coverage_api_gives_the_dashboards_figures_within_the_users_office(app, client, auth, area):
    auth.login("maya")  # manager of kanim-jambi
    body = client.get(f"/api/v1/coverage?region=15&from={START}&to={TODAY}").get_json()
    assert body["region"] == {"code": "15", "name": "Jambi", "level": "province"}
    assert body["totals"]["desa_binaan"] == 5 and body["totals"]["coverage_rate"] == 0.4
    assert {r["code"]: r["desa_binaan"] for r in body["rows"]} == {"15.71": 5, "15.08": 0}
    assert sum(r["visits"] for r in body["rows"]) == body["totals"]["visits"]


def test_the_coverage_api_refuses_bad_input_and_officers(app, client, auth, area):
    auth.login("maya")
    assert client.get("/api/v1/coverage?from=kemarin").status_code == 400
    assert client.get("/api/v1/coverage?region=99").status_code == 404
    officer = app.test_client()
    Auth(officer).login("ani")
    assert officer.get("/api/v1/coverage").status_code == 403


def test_the_dashboard_drills_down_and_lists_villages_to_visit_first(client, auth, area):
    auth.login("maya")
    page = client.get(f"/kelola/?region=15&from={START}&to={TODAY}").get_data(as_text=True)
    assert "2 dari 5 desa binaan tercakup" in page and "Kota Jambi" in page
    district = client.get("/kelola/?region=15.71.01").get_data(as_text=True)
    assert "Sungai Putri" in district and "Kunjungi lebih dulu" in district
    assert client.get("/kelola/?from=bukan-tanggal").status_code == 400


def test_a_village_page_shows_its_desa_binaan_officers_and_timeline_to_its_office_only(
    app, client, auth, area
):
    auth.login("maya")
    page = client.get("/kelola/desa/15.71.01.1001").get_data(as_text=True)
    assert "Sungai Putri" in page and "Ani" in page and "tinggi" in page
    assert page.count("Kunjungan</strong>") == 2 and "Pembagian materi</strong>" in page
    assert client.get("/kelola/desa/15.08.01.2001").status_code == 404  # Bungo's, not Jambi's
    assert client.get("/kelola/desa/99").status_code == 404


def test_the_map_places_each_desa_binaan_from_its_coordinates_coloured_by_coverage(app, client, auth, area):
    with app.app_context():
        result = figures("15.71.01")
        points = {p.code: p for p in coverage.village_map(db.session, result).points}
    assert set(points) == {"15.71.01.1001"}  # the only desa binaan here with coordinates
    assert points["15.71.01.1001"].covered is True
    auth.login("maya")
    page = client.get(f"/kelola/?region=15.71.01&from={START}&to={TODAY}").get_data(as_text=True)
    assert "/kelola/peta.svg?region=15.71.01" in page
    image = client.get(f"/kelola/peta.svg?region=15.71.01&from={START}&to={TODAY}")
    assert image.mimetype == "image/svg+xml"
    svg = image.get_data(as_text=True)
    assert svg.count("<circle") == 1 and 'fill="#0b5d4b"' in svg and "Sungai Putri: tercakup" in svg


@pytest.mark.parametrize(
    ("start", "last"),
    [
        (date(2021, 1, 1), date(2025, 12, 31)),
        (date(2024, 2, 29), date(2029, 2, 28)),
        (date(2099, 12, 31), date(2104, 12, 30)),
    ],
)
def test_a_period_may_last_five_years_to_the_day_and_not_one_day_more(start, last):
    assert periods.latest_end(start) == last
    assert periods.period(None, start, last, today=TODAY) == (start, last)
    with pytest.raises(periods.PeriodError):
        periods.period(None, start, last + timedelta(days=1), today=TODAY)
    with pytest.raises(periods.PeriodError):
        periods.period(None, start, start - timedelta(days=1), today=TODAY)
    assert periods.period("90", None, None, today=TODAY) == (
        TODAY - timedelta(days=89),
        TODAY,
    )  # presets stay short


@pytest.mark.parametrize(
    "path",
    [
        "/kelola/",
        "/kelola/ekspor/cakupan.csv",
        "/kelola/ekspor/visit.xlsx",
        "/kelola/aktivitas.svg",
        "/kelola/peta.svg",
        "/api/v1/coverage",
    ],
)
def test_a_period_over_five_years_or_backwards_is_a_400_that_says_so_and_five_years_work(
    client, auth, area, path
):
    auth.login("maya")
    client.set_cookie("lang", "en")
    six_years = client.get(f"{path}?from=2020-01-01&to=2025-12-31")
    assert six_years.status_code == 400
    assert (
        "A period may cover at most 5 years: from 2020-01-01, it may end on 2024-12-31 at the latest."
        in six_years.get_data(as_text=True)
    )
    assert client.get(f"{path}?from=2021-01-01&to=2025-12-31").status_code == 200
    backwards = client.get(f"{path}?from=2025-12-31&to=2025-01-01")
    assert backwards.status_code == 400
    assert "The period ends on 2025-01-01, before it starts on 2025-12-31." in backwards.get_data(
        as_text=True
    )
