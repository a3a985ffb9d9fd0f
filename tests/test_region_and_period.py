"""The region and period of the managers' figures: read the same way by the dashboard, its images, its exports
and the coverage API; opening where the user's office works, with a national root above every province."""

from datetime import date, timedelta

import pytest

from outreach import coverage, periods
from outreach.extensions import db
from outreach.models import Office, OfficeKind, Region, RegionLevel, User
from tests.conftest import make_user, today


@pytest.fixture
def palembang(app, world):
    """A Kanim in another province (Sumatera Selatan) with its manager, 'sari'."""
    with app.app_context():
        province = Region(code="16", name="Sumatera Selatan", level=RegionLevel.province)
        regency = Region(code="16.71", name="Kota Palembang", level=RegionLevel.regency, parent_code="16")
        db.session.add_all([province, regency])
        db.session.flush()
        office = Office(
            code="kanim-palembang", name="Kanim Palembang", kind=OfficeKind.kanim, regencies=[regency]
        )
        db.session.add_all([office, make_user("sari", "manager", office)])
        db.session.commit()


def crumbs(page: str) -> str:
    return page.split('class="crumbs"', 1)[1].split("</nav>", 1)[0]


def test_an_admin_opens_on_the_whole_country_with_each_province_a_row(client, auth, world):
    auth.login("root")
    page = client.get("/kelola/").get_data(as_text=True)
    assert "<strong>Indonesia</strong>" in crumbs(page)
    assert 'href="/kelola/?region=15&amp;' in page  # Jambi, a row of the national table


def test_a_kanim_manager_opens_on_the_regency_of_the_office_with_the_country_above(client, auth, world):
    auth.login("maya")
    trail = crumbs(client.get("/kelola/").get_data(as_text=True))
    assert "<strong>Kota Jambi</strong>" in trail
    assert ">Indonesia</a>" in trail and ">Jambi</a>" in trail


def test_a_manager_in_another_province_does_not_open_on_jambi(client, auth, palembang):
    auth.login("sari")
    assert "<strong>Kota Palembang</strong>" in crumbs(client.get("/kelola/").get_data(as_text=True))
    assert client.get("/api/v1/coverage").get_json()["region"]["code"] == "16.71"


def test_a_kanwil_opens_on_its_province(app, world):
    with app.app_context():
        kanwil = db.session.scalar(db.select(Office).where(Office.code == "kanwil-jambi"))
        user = User(username="wati", role="manager", office=kanwil)
        assert coverage.home_region(db.session, user) == "15"


def test_the_coverage_api_has_a_national_level(client, auth, world):
    auth.login("root")
    body = client.get("/api/v1/coverage?region=").get_json()
    assert body["region"] == {"code": "", "name": "Indonesia", "level": "nation"}
    jambi = next(row for row in body["rows"] if row["code"] == "15")
    assert jambi["desa_binaan"] == body["totals"]["desa_binaan"] == 4


def test_the_coverage_api_honours_the_period_preset_as_the_dashboard_does(client, auth, world):
    auth.login("maya")
    body = client.get("/api/v1/coverage?period=90").get_json()
    assert (body["from"], body["to"]) == ((today() - timedelta(days=89)).isoformat(), today().isoformat())
    page = client.get("/kelola/?period=90").get_data(as_text=True)
    assert '<option value="90" selected>' in page


@pytest.mark.parametrize(
    "path", ["/api/v1/coverage", "/kelola/", "/kelola/peta.svg", "/kelola/ekspor/cakupan.csv"]
)
def test_a_bad_period_or_region_is_refused_with_what_is_wrong(client, auth, world, path):
    auth.login("root")
    bad_day = client.get(path + "?from=2026-02-30&to=2026-03-01")
    assert bad_day.status_code == 400
    assert "YYYY-MM-DD" in bad_day.get_data(as_text=True)
    unknown = client.get(path + "?region=99", headers={"Accept-Language": "id"})
    assert unknown.status_code == 404
    assert "Tidak ada wilayah dengan kode ini." in unknown.get_data(as_text=True)


def test_a_period_reads_the_same_from_every_query_string():
    day = today()
    assert periods.from_args({"period": "30"}, today=day) == periods.Period(
        day - timedelta(days=29), day, "30"
    )
    chosen = periods.from_args({"from": "2026-01-01", "to": "2026-01-31", "period": "90"}, today=day)
    assert (chosen.start.isoformat(), chosen.end.isoformat(), chosen.preset) == (
        "2026-01-01",
        "2026-01-31",
        "",
    )
    assert periods.from_args({"period": "nonsense"}, today=day) == periods.Period(
        day - timedelta(days=29), day, "30"
    )  # the default: a month's worth of days, even on the 1st


def test_this_month_is_the_calendar_month_so_far_and_nothing_chosen_is_the_last_30_days():
    first = date(2026, 12, 1)
    assert periods.from_args({"period": "month"}, today=first) == periods.Period(first, first, "month")
    assert periods.from_args({}, today=first) == periods.Period(date(2026, 11, 2), first, "30")
    # a link keeps the choice: a preset stays a preset, chosen days stay days
    assert periods.Period(date(2026, 11, 2), first, "30").as_args() == {"period": "30"}
    assert periods.Period(first, first).as_args() == {"from": "2026-12-01", "to": "2026-12-01"}
