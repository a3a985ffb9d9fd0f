"""Activity per office over time (the dashboard's chart and table) and the monthly report of an office."""
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach import activity, charts
from outreach.extensions import db
from outreach.follow_up import set_follow_up
from outreach.models import (
    DesaBinaan, EarlyWarning, EducationSession, Handout, Office, Region, RegionLevel, RiskLevel, Visit,
)
from tests.conftest import Auth, make_user

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}
REV = iter(range(1, 10_000))


def add(model, officer_id, village, at, **fields):
    db.session.add(model(id=str(uuid.uuid4()), officer_id=officer_id, village_code=village, occurred_at=at,
                         client_updated_at=at, received_at=at, rev=next(REV), version=1,
                         voided=fields.pop("voided", False), **fields))


def visit(officer_id, village, at, **fields):
    add(Visit, officer_id, village, at, purpose="Koordinasi", notes="", **fields)


def warning(officer_id, village, at, category, urgency, description):
    add(EarlyWarning, officer_id, village, at, category=category, urgency=urgency, description=description,
        people_involved="", source="villager")


@pytest.fixture
def march(app, world):
    """March 2025 in Kanim Jambi (four desa binaan) and Kanim Bungo (one), with records just outside the month
    and a voided one; wulan manages the Kanwil. Answers the offices' ids."""
    with app.app_context():
        offices = {o.code: o for o in db.session.scalars(select(Office))}
        db.session.add_all([
            Region(code="15.08", name="Kabupaten Bungo", level=RegionLevel.regency, parent_code="15"),
            Region(code="15.08.01", name="Tanah Tumbuh", level=RegionLevel.district, parent_code="15.08"),
            Region(code="15.08.01.2001", name="Tanah Tumbuh", level=RegionLevel.village, parent_code="15.08.01"),
        ])
        db.session.flush()
        db.session.add(DesaBinaan(village_code="15.08.01.2001", office=offices["kanim-bungo"], risk_level=RiskLevel.sedang,
                                  designated_on=date(2025, 1, 6)))
        make_user("wulan", "manager", offices["kanwil-jambi"])
        ani, budi, citra = world.ani, world.budi, world.citra
        visit(ani, "15.71.01.1001", datetime(2025, 3, 4, 9))
        visit(ani, "15.71.01.1002", datetime(2025, 3, 5, 9))
        add(EducationSession, ani, "15.71.01.1001", datetime(2025, 3, 12, 10), venue="Balai desa", topics=["tppo"],
            male_under_18=2, female_under_18=3, male_adult=10, female_adult=5, audience_groups=[], partners=[],
            materials_used="", notes="")
        add(Handout, ani, "15.71.01.1001", datetime(2025, 3, 12, 11), material_slug="kenali-tppo", quantity=40,
            format="printed", recipient_group="students")
        visit(ani, "15.71.01.1003", datetime(2025, 3, 18, 9), voided=True)  # voided: neither counted nor covering
        visit(budi, "15.71.01.1002", datetime(2025, 3, 31, 16))
        visit(budi, "15.71.01.1003", datetime(2025, 2, 27, 9))  # the month before
        add(EducationSession, budi, "15.71.01.1003", datetime(2025, 4, 1, 1), venue="Masjid", topics=[], male_under_18=0,
            female_under_18=0, male_adult=7, female_adult=0, audience_groups=[], partners=[], materials_used="", notes="")
        add(Handout, budi, "15.71.01.1003", datetime(2025, 2, 28, 9), material_slug="kenali-tppo", quantity=99,
            format="printed", recipient_group="students")
        visit(citra, "15.08.01.2001", datetime(2025, 3, 10, 9))
        warning(ani, "15.71.01.1003", datetime(2025, 3, 20, 9), "recruiter", "segera", "Calo di pasar")
        warning(ani, "15.71.01.1003", datetime(2025, 3, 21, 9), "fake_job", "biasa", "Lowongan palsu")
        warning(ani, "15.71.01.1003", datetime(2025, 4, 2, 9), "recruiter", "biasa", "Bulan berikutnya")
        warning(citra, "15.08.01.2001", datetime(2025, 3, 22, 9), "other", "tinggi", "Orang asing")
        db.session.commit()
        by_text = {w.description: w for w in db.session.scalars(select(EarlyWarning))}
        set_follow_up(db.session, by_text["Lowongan palsu"], status="closed", note="", by_user_id=world.manager,
                      outcome="Lowongan dilaporkan ke Disnaker")
        set_follow_up(db.session, by_text["Orang asing"], status="follow_up", note="", by_user_id=world.manager,
                      referred_to="timpora", responsible="Pak Joko")
        db.session.commit()
        return {code: o.id for code, o in offices.items()}


def logged_in(app, username):
    client = app.test_client()
    Auth(client).login(username)
    return client


# Activity per office over time

WEEKS = [date(2025, 3, d) for d in (1, 3, 10, 17, 24, 31)]


@pytest.mark.usefixtures("ctx")
def test_activity_counts_visits_and_sessions_per_office_and_week_as_counted_by_hand(march):
    result = activity.activity(db.session, start=date(2025, 3, 1), end=date(2025, 3, 31), offices=None)
    assert result.buckets == WEEKS and not result.by_month  # the first week starts with the period, on a Saturday
    counts = {s.office.name: s.counts for s in result.series}
    assert list(counts) == ["Kanwil Jambi", "Kanim Bungo", "Kanim Jambi"]
    assert counts["Kanim Jambi"] == [0, 2, 1, 0, 0, 1]  # the voided visit of the 18th is left out
    assert counts["Kanim Bungo"] == [0, 0, 1, 0, 0, 0]
    assert counts["Kanwil Jambi"] == [0] * 6  # an office with nothing recorded still has its row of zeros


@pytest.mark.usefixtures("ctx")
def test_a_period_longer_than_a_quarter_is_counted_by_month(march):
    result = activity.activity(db.session, start=date(2025, 1, 15), end=date(2025, 5, 10), offices={march["kanim-jambi"]})
    assert result.by_month and result.buckets == [date(2025, 1, 15), date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1),
                                                  date(2025, 5, 1)]
    [jambi] = result.series
    assert jambi.counts == [0, 1, 4, 1, 0] and jambi.total == 6


def test_the_chart_draws_one_escaped_line_per_office_with_a_legend_and_nothing_from_elsewhere():
    svg = charts.activity_chart_svg(["3 Mar", "10 Mar"], [("Kanim <Jambi>", [2, 1]), ("Kanim Bungo", [0, 1])],
                                    title="Kunjungan & sosialisasi")
    assert svg.count("<polyline") == 2 and "Kanim &lt;Jambi&gt;" in svg and "<Jambi>" not in svg
    assert "<title>Kunjungan &amp; sosialisasi</title>" in svg and "Kanim Bungo, 10 Mar: 1" in svg
    assert "<script" not in svg and "href" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def table_of(page: str) -> dict[str, dict[str, str]]:
    """The dashboard's activity table as {office: {bucket label: count}}."""
    section = page.split('id="activity"')[1].split("</tbody>")[0]
    offices = re.findall(r'<th scope="col">([^<]+)</th>', section)[1:]
    table = {office: {} for office in offices}
    for label, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', section):
        for office, count in zip(offices, re.findall(r"<td>([^<]*)</td>", cells)):
            table[office][label] = count
    return table


def chart_of(svg: str) -> dict[str, dict[str, str]]:
    chart: dict[str, dict[str, str]] = {}
    for office, label, count in re.findall(r"<title>([^,<]+), ([^:<]+): ([^<]+)</title>", svg):
        chart.setdefault(office, {})[label] = count
    return chart


def test_the_dashboard_table_has_the_charts_numbers_and_empty_weeks_show_zero(app, march):
    client = logged_in(app, "wulan")  # the Kanwil: every office
    page = client.get("/kelola/", query_string=MARCH).get_data(as_text=True)
    assert "/kelola/aktivitas.svg?from=2025-03-01&amp;to=2025-03-31" in page
    image = client.get("/kelola/aktivitas.svg", query_string=MARCH)
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    svg = image.get_data(as_text=True)
    assert svg.count("<polyline") == 3
    table = table_of(page)
    assert table == chart_of(svg)
    assert table["Kanim Jambi"] == {"1 Mar": "0", "3 Mar": "2", "10 Mar": "1", "17 Mar": "0", "24 Mar": "0", "31 Mar": "1"}
    assert set(table["Kanwil Jambi"].values()) == {"0"}


def test_a_kanim_manager_sees_only_their_own_offices_line(app, march):
    client = logged_in(app, "maya")  # Kanim Jambi
    svg = client.get("/kelola/aktivitas.svg", query_string=MARCH).get_data(as_text=True)
    page = client.get("/kelola/", query_string=MARCH).get_data(as_text=True)
    assert svg.count("<polyline") == 1 and "Kanim Jambi" in svg
    assert "Bungo" not in svg and "Kanwil" not in svg
    assert list(table_of(page)) == ["Kanim Jambi"]
    assert client.get("/kelola/aktivitas.svg?from=kemarin").status_code == 400
    assert logged_in(app, "ani").get("/kelola/aktivitas.svg").status_code == 403
