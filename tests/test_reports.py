"""Activity per office over time (the dashboard's chart and table) and the monthly report of an office."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach import activity, charts, reports
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
from tests.conftest import Auth, make_user, today

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}
REV = iter(range(1, 10_000))


def add(model, officer_id, village, at, **fields):
    db.session.add(
        model(
            id=str(uuid.uuid4()),
            officer_id=officer_id,
            village_code=village,
            occurred_at=at,
            client_updated_at=at,
            received_at=at,
            rev=next(REV),
            version=1,
            voided=fields.pop("voided", False),
            **fields,
        )
    )


def visit(officer_id, village, at, **fields):
    add(Visit, officer_id, village, at, purpose="Koordinasi", notes="", **fields)


def warning(officer_id, village, at, category, urgency, description):
    add(
        EarlyWarning,
        officer_id,
        village,
        at,
        category=category,
        urgency=urgency,
        description=description,
        people_involved="",
        source="villager",
    )


@pytest.fixture
def march(app, world):
    """March 2025 in Kanim Jambi (four desa binaan) and Kanim Bungo (one), with records just outside the month
    and a voided one; wulan manages the Kanwil. Answers the offices' ids."""
    with app.app_context():
        offices = {o.code: o for o in db.session.scalars(select(Office))}
        db.session.add_all(
            [
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
        db.session.add(
            DesaBinaan(
                village_code="15.08.01.2001",
                office=offices["kanim-bungo"],
                risk_level=RiskLevel.sedang,
                designated_on=date(2025, 1, 6),
            )
        )
        make_user("wulan", "manager", offices["kanwil-jambi"])
        ani, budi, citra = world.ani, world.budi, world.citra
        visit(ani, "15.71.01.1001", datetime(2025, 3, 4, 9))
        visit(ani, "15.71.01.1002", datetime(2025, 3, 5, 9))
        add(
            EducationSession,
            ani,
            "15.71.01.1001",
            datetime(2025, 3, 12, 10),
            venue="Balai desa",
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
            datetime(2025, 3, 12, 11),
            material_slug="kenali-tppo",
            quantity=40,
            format="printed",
            recipient_group="students",
        )
        visit(
            ani, "15.71.01.1003", datetime(2025, 3, 18, 9), voided=True
        )  # voided: neither counted nor covering
        visit(budi, "15.71.01.1002", datetime(2025, 3, 31, 16))
        visit(budi, "15.71.01.1003", datetime(2025, 2, 27, 9))  # the month before
        add(
            EducationSession,
            budi,
            "15.71.01.1003",
            datetime(2025, 4, 1, 1),
            venue="Masjid",
            topics=[],
            male_under_18=0,
            female_under_18=0,
            male_adult=7,
            female_adult=0,
            audience_groups=[],
            partners=[],
            materials_used="",
            notes="",
        )
        add(
            Handout,
            budi,
            "15.71.01.1003",
            datetime(2025, 2, 28, 9),
            material_slug="kenali-tppo",
            quantity=99,
            format="printed",
            recipient_group="students",
        )
        visit(citra, "15.08.01.2001", datetime(2025, 3, 10, 9))
        warning(ani, "15.71.01.1003", datetime(2025, 3, 20, 9), "recruiter", "segera", "Calo di pasar")
        warning(ani, "15.71.01.1003", datetime(2025, 3, 21, 9), "fake_job", "biasa", "Lowongan palsu")
        warning(ani, "15.71.01.1003", datetime(2025, 4, 2, 9), "recruiter", "biasa", "Bulan berikutnya")
        warning(citra, "15.08.01.2001", datetime(2025, 3, 22, 9), "other", "tinggi", "Orang asing")
        db.session.commit()
        by_text = {w.description: w for w in db.session.scalars(select(EarlyWarning))}
        set_follow_up(
            db.session,
            by_text["Lowongan palsu"],
            status="closed",
            note="",
            by_user_id=world.manager,
            outcome="Lowongan dilaporkan ke Disnaker",
        )
        set_follow_up(
            db.session,
            by_text["Orang asing"],
            status="follow_up",
            note="",
            by_user_id=world.manager,
            referred_to="timpora",
            responsible="Pak Joko",
        )
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
    result = activity.activity(
        db.session, start=date(2025, 3, 1), end=date(2025, 3, 31), offices=None, zone=UTC
    )
    assert (
        result.buckets == WEEKS and not result.by_month
    )  # the first week starts with the period, on a Saturday
    counts = {s.office.name: s.counts for s in result.series}
    assert list(counts) == ["Kanwil Jambi", "Kanim Bungo", "Kanim Jambi"]
    assert counts["Kanim Jambi"] == [0, 2, 1, 0, 0, 1]  # the voided visit of the 18th is left out
    assert counts["Kanim Bungo"] == [0, 0, 1, 0, 0, 0]
    assert counts["Kanwil Jambi"] == [0] * 6  # an office with nothing recorded still has its row of zeros


@pytest.mark.usefixtures("ctx")
def test_a_period_longer_than_a_quarter_is_counted_by_month(march):
    result = activity.activity(
        db.session, start=date(2025, 1, 15), end=date(2025, 5, 10), offices={march["kanim-jambi"]}, zone=UTC
    )
    assert result.by_month and result.buckets == [
        date(2025, 1, 15),
        date(2025, 2, 1),
        date(2025, 3, 1),
        date(2025, 4, 1),
        date(2025, 5, 1),
    ]
    [jambi] = result.series
    assert jambi.counts == [0, 1, 4, 1, 0] and jambi.total == 6


def test_the_chart_draws_one_escaped_line_per_office_with_a_legend_and_nothing_from_elsewhere():
    svg = charts.activity_chart_svg(
        ["3 Mar", "10 Mar"],
        [("Kanim <Jambi>", [2, 1]), ("Kanim Bungo", [0, 1])],
        title="Kunjungan & sosialisasi",
    )
    assert svg.count("<polyline") == 2 and "Kanim &lt;Jambi&gt;" in svg and "<Jambi>" not in svg
    assert "<title>Kunjungan &amp; sosialisasi</title>" in svg and "Kanim Bungo, 10 Mar: 1" in svg
    assert (
        "<script" not in svg
        and "href" not in svg
        and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )


def table_of(page: str) -> dict[str, dict[str, str]]:
    """The dashboard's activity table as {office: {bucket label: count}}."""
    section = page.split('id="activity"')[1].split("</tbody>")[0]
    offices = re.findall(r'<th scope="col">([^<]+)</th>', section)[1:]
    table = {office: {} for office in offices}
    for label, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', section):
        for office, count in zip(offices, re.findall(r"<td>([^<]*)</td>", cells), strict=False):
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
    assert table["Kanim Jambi"] == {
        "1 Mar": "0",
        "3 Mar": "2",
        "10 Mar": "1",
        "17 Mar": "0",
        "24 Mar": "0",
        "31 Mar": "1",
    }
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


@pytest.fixture
def two_kanwil(app, march):
    """A second Kanwil (Sumatera Selatan) over Kanim Palembang, with one visit in the week of 3 March."""
    with app.app_context():
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
        kanwil = Office(code="kanwil-sumsel", name="Kanwil Sumsel", kind=OfficeKind.kanwil)
        kanim = Office(code="kanim-palembang", name="Kanim Palembang", kind=OfficeKind.kanim, parent=kanwil)
        db.session.add_all([kanwil, kanim])
        db.session.add(
            DesaBinaan(
                village_code="16.71.01.1001",
                office=kanim,
                risk_level=RiskLevel.sedang,
                designated_on=date(2025, 1, 6),
            )
        )
        sari = make_user("sari", "officer", kanim)
        db.session.flush()
        visit(sari.id, "16.71.01.1001", datetime(2025, 3, 5, 9))
        db.session.commit()
        return {**march, "kanwil-sumsel": kanwil.id}


def test_over_several_kanwil_the_chart_has_a_line_per_kanwil_that_opens_on_its_offices(app, two_kanwil):
    client = logged_in(app, "root")  # an admin: both Kanwil
    page = client.get("/kelola/", query_string=MARCH).get_data(as_text=True)
    svg = client.get("/kelola/aktivitas.svg", query_string=MARCH).get_data(as_text=True)
    assert svg.count("<polyline") == 2
    lines = chart_of(svg)
    assert list(lines) == ["Kanwil Jambi", "Kanwil Sumsel"]  # each Kanwil with its Kanim: Jambi's and Bungo's
    assert list(lines["Kanwil Jambi"].values()) == ["0", "2", "2", "0", "0", "1"]
    assert list(lines["Kanwil Sumsel"].values()) == ["0", "1", "0", "0", "0", "0"]
    jambi = two_kanwil["kanwil-jambi"]
    assert f"/kelola/?region=&amp;kanwil={jambi}&amp;from=2025-03-01&amp;to=2025-03-31#activity" in page

    drilled = client.get("/kelola/", query_string={**MARCH, "kanwil": jambi}).get_data(as_text=True)
    assert (
        f"/kelola/aktivitas.svg?from=2025-03-01&amp;to=2025-03-31&amp;region=&amp;kanwil={jambi}" in drilled
    )
    offices = client.get("/kelola/aktivitas.svg", query_string={**MARCH, "kanwil": jambi}).get_data(
        as_text=True
    )
    assert table_of(drilled) == chart_of(offices)
    assert list(chart_of(offices)) == ["Kanwil Jambi", "Kanim Bungo", "Kanim Jambi"]

    wulan = logged_in(app, "wulan")  # the Kanwil Jambi's manager: its offices one by one, and no other Kanwil
    assert (
        wulan.get("/kelola/aktivitas.svg", query_string=MARCH).get_data(as_text=True).count("<polyline") == 3
    )
    other = {**MARCH, "kanwil": two_kanwil["kanwil-sumsel"]}
    assert wulan.get("/kelola/aktivitas.svg", query_string=other).status_code == 404
    assert client.get("/kelola/", query_string={**MARCH, "kanwil": "x"}).status_code == 404


# The monthly report


def report_of(code, offices, year=2025, month=3, **kw):
    office = db.session.get(Office, offices[code])
    return reports.monthly_report(
        db.session, office=office, year=year, month=month, today=date(2025, 4, 5), **kw
    )


@pytest.mark.usefixtures("ctx")
def test_a_kanims_report_counts_what_its_officers_recorded_in_that_month_only(march):
    report = report_of("kanim-jambi", march)
    assert (report.first, report.last) == (date(2025, 3, 1), date(2025, 3, 31))
    t = report.totals
    assert (t.visits, t.sessions, t.people, t.people_male, t.people_female, t.people_under_18) == (
        3,
        1,
        20,
        12,
        8,
        5,
    )
    assert t.materials == 40 and report.materials == [("Kenali TPPO", 40)]  # February's 99 are not in March
    rows = {row.officer.username: row for row in report.officers}
    assert set(rows) == {"ani", "budi"}  # officers only: not the manager, not Kanim Bungo's citra
    assert (
        rows["ani"].figures.visits,
        rows["ani"].figures.sessions,
        rows["ani"].figures.materials,
        rows["ani"].warnings,
    ) == (2, 1, 40, 2)
    assert (rows["budi"].figures.visits, rows["budi"].figures.sessions, rows["budi"].warnings) == (1, 0, 0)


@pytest.mark.usefixtures("ctx")
def test_the_report_gives_coverage_and_the_desa_binaan_not_covered_riskiest_and_longest_unvisited_first(
    march,
):
    report = report_of("kanim-jambi", march)
    assert (report.coverage.desa_binaan, report.coverage.covered, report.coverage.rate) == (4, 2, 0.5)
    assert [(row.region.name, row.figures.desa_binaan, row.figures.covered) for row in report.regencies] == [
        ("Kota Jambi", 4, 2)
    ]
    assert report.offices == []  # a Kanim's report has no row per office
    missed = [(n.desa.village.name, n.desa.risk_level, n.last_activity) for n in report.not_covered]
    assert missed == [
        ("Kasang", RiskLevel.tinggi, None),  # never visited
        ("Solok Sipin", RiskLevel.tinggi, datetime(2025, 4, 1, 1)),
    ]  # the voided visit does not count


@pytest.mark.usefixtures("ctx")
def test_the_report_gives_the_months_warnings_by_kind_urgency_and_status_today(march):
    report = report_of("kanim-jambi", march, now=datetime(2025, 4, 5, 12))
    assert report.warnings_reported == 2  # April's warning is not in March's report
    assert report.by_category == {"recruiter": 1, "fake_job": 1} and report.by_urgency == {
        "segera": 1,
        "biasa": 1,
    }
    assert report.by_status == {"new": 1, "closed": 1}
    assert [w.description for w in report.closed] == ["Lowongan palsu"]
    assert [w.description for w in report.overdue] == ["Calo di pasar"]  # immediate, and new for two weeks


@pytest.mark.usefixtures("ctx")
def test_the_kanwils_report_covers_every_kanim_under_it_with_a_row_each(march):
    report = report_of("kanwil-jambi", march)
    assert (report.totals.visits, report.totals.sessions, report.warnings_reported) == (4, 1, 3)
    assert [(row.office.name, row.figures.desa_binaan, row.figures.covered) for row in report.offices] == [
        ("Kanwil Jambi", 0, 0),
        ("Kanim Bungo", 1, 1),
        ("Kanim Jambi", 4, 2),
    ]
    assert {row.region.name: row.figures.covered for row in report.regencies} == {
        "Kabupaten Bungo": 1,
        "Kota Jambi": 2,
    }
    assert report.by_status == {"new": 1, "closed": 1, "follow_up": 1}
    assert {row.officer.username for row in report.officers} == {"ani", "budi", "citra"}


def test_the_report_page_is_in_indonesian_even_when_the_manager_reads_in_english(app, march):
    client = logged_in(app, "maya")
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/kelola/").get_data(as_text=True)
    ).group(1)
    client.post("/bahasa/en", data={"csrf_token": token, "next": "/kelola/"})
    assert "Coverage of desa binaan" in client.get("/kelola/").get_data(as_text=True)
    report = client.get(f"/kelola/laporan/{march['kanim-jambi']}/2025-03")
    text = report.get_data(as_text=True)
    assert report.status_code == 200 and '<html lang="id">' in text
    assert "Maret 2025" in text and "1 Maret 2025" in text and "31 Maret 2025" in text
    assert (
        "2 dari 4 desa binaan tercakup (50%)" in text and "Kunjungan" in text and "Orang terjangkau" in text
    )
    assert "Perekrut ilegal atau calo" in text and "Lowongan dilaporkan ke Disnaker" in text
    assert "People reached" not in text and "Visits" not in text
    assert "onclick" not in text and "<script>" not in text
    assert "Coverage of desa binaan" in client.get("/kelola/").get_data(
        as_text=True
    )  # the choice is kept elsewhere


def test_the_officers_table_downloads_with_the_reports_numbers(app, march):
    client = logged_in(app, "maya")
    response = client.get(f"/kelola/laporan/{march['kanim-jambi']}/2025-03/petugas.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert (
        lines[0] == "Petugas,Kantor,Kunjungan,Sosialisasi,Orang terjangkau,Materi dibagikan,Peringatan dini"
    )
    assert "Ani,Kanim Jambi,2,1,20,40,2" in lines and lines[-1] == "Jumlah,,3,1,20,40,2"
    assert client.get(f"/kelola/laporan/{march['kanim-jambi']}/2025-03/petugas.xlsx").status_code == 200
    assert client.get(f"/kelola/laporan/{march['kanim-jambi']}/2025-03/petugas.pdf").status_code == 404


def test_another_kanims_report_is_hidden_from_a_kanim_manager_but_not_from_the_kanwil_or_an_admin(app, march):
    bungo = f"/kelola/laporan/{march['kanim-bungo']}/2025-03"
    assert logged_in(app, "maya").get(bungo).status_code == 404
    assert logged_in(app, "maya").get(bungo + "/petugas.csv").status_code == 404
    assert logged_in(app, "maya").get("/kelola/laporan/99999/2025-03").status_code == 404
    assert logged_in(app, "wulan").get(bungo).status_code == 200
    assert "Kanim Bungo" in logged_in(app, "root").get(bungo).get_data(as_text=True)
    assert logged_in(app, "ani").get(f"/kelola/laporan/{march['kanim-jambi']}/2025-03").status_code == 403
    assert logged_in(app, "ani").get("/kelola/laporan").status_code == 403


@pytest.mark.parametrize("month", ["2025-13", "2025-00", "abc", "2025-3", "0000-01", "2025-03-01"])
def test_a_malformed_month_is_a_400_that_says_how_to_write_it(app, march, month):
    response = logged_in(app, "maya").get(f"/kelola/laporan/{march['kanim-jambi']}/{month}")
    assert response.status_code == 400 and f"{today():%Y-%m}" in response.get_data(as_text=True)  # an example


def test_a_month_that_has_not_begun_is_a_400(app, march):
    now = today()
    future = f"{now.year + 1}-{now.month:02d}"
    response = logged_in(app, "maya").get(f"/kelola/laporan/{march['kanim-jambi']}/{future}")
    assert response.status_code == 400
    assert (
        logged_in(app, "maya").get(f"/kelola/laporan/{march['kanim-jambi']}/{now:%Y-%m}").status_code == 200
    )


def test_the_report_choice_offers_the_users_offices_and_last_month_and_leads_to_the_report(app, march):
    client = logged_in(app, "wulan")
    page = client.get("/kelola/laporan").get_data(as_text=True)
    last_month = (today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert f'value="{march["kanwil-jambi"]}" selected' in page and f'value="{last_month}"' in page
    assert "Kanim Bungo" in page and "Kanim Jambi" in page
    response = client.get(
        "/kelola/laporan", query_string={"office": march["kanim-bungo"], "month": "2025-03"}
    )
    assert (
        response.status_code == 302
        and response.headers["Location"] == f"/kelola/laporan/{march['kanim-bungo']}/2025-03"
    )
    assert client.get("/kelola/laporan", query_string={"office": "x", "month": "2025-03"}).status_code == 400
    assert (
        client.get(
            "/kelola/laporan", query_string={"office": march["kanim-bungo"], "month": "maret"}
        ).status_code
        == 400
    )
    kanim = logged_in(app, "maya").get("/kelola/laporan").get_data(as_text=True)
    assert "Kanim Bungo" not in kanim and f'value="{march["kanim-jambi"]}" selected' in kanim
    admin = logged_in(app, "root").get("/kelola/laporan").get_data(as_text=True)
    assert f'value="{march["kanwil-jambi"]}" selected' in admin  # an admin starts from the Kanwil
    assert "/kelola/laporan" in logged_in(app, "maya").get("/kelola/").get_data(as_text=True)
