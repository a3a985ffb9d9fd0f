"""Each office has its time zone (WIB, WITA or WIT): how it is set, and what a manager of an office in Makassar
or Jayapura notices near midnight: records on the right day, "today", a monthly report's first and last day,
the dashboard's "this month", and times shown with their zone's name."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from outreach import clock
from outreach.extensions import db
from outreach.models import Office, Region, RegionLevel
from tests.test_cli import add_regions, office_by_code
from tests.test_designations import login, post
from tests.test_offices import new_kanim

ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
OFFSETS = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}


def local(zone, *args):
    """A local time in a zone, as an aware datetime."""
    return datetime(*args, tzinfo=ZoneInfo(zone))


def stored(moment):
    """An aware moment as the database keeps it: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def set_zone(app, code, zone):
    with app.app_context():
        db.session.scalar(select(Office).where(Office.code == code)).timezone = zone
        db.session.commit()


# Setting an office's zone


def test_create_office_takes_a_time_zone_and_defaults_to_the_configured_one(runner, ctx):
    add_regions()
    db.session.commit()
    args = ["create-office", "kanwil-sulsel", "--name", "Kanwil Sulawesi Selatan", "--kind", "kanwil"]
    result = runner.invoke(args=[*args, "--timezone", "Asia/Makassar"])
    assert result.exit_code == 0, result.output
    assert office_by_code("kanwil-sulsel").timezone == "Asia/Makassar"
    result = runner.invoke(
        args=["create-office", "kanwil-jambi", "--name", "Kanwil Jambi", "--kind", "kanwil"]
    )
    assert result.exit_code == 0, result.output
    assert office_by_code("kanwil-jambi").timezone == "Asia/Jakarta"
    refused = runner.invoke(args=[*args[:2], "kanwil-x", *args[3:], "--timezone", "Europe/Paris"])
    assert refused.exit_code != 0 and "Europe/Paris" in refused.output


def test_create_office_defaults_to_the_installations_timezone(app, runner):
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Jayapura"
    with app.app_context():
        result = runner.invoke(
            args=["create-office", "kanwil-papua", "--name", "Kanwil Papua", "--kind", "kanwil"]
        )
        assert result.exit_code == 0, result.output
        assert office_by_code("kanwil-papua").timezone == "Asia/Jayapura"


def test_the_admin_sets_an_offices_time_zone_on_its_page(app, client, world):
    login(client, "root")
    form = client.get("/kelola/kantor/baru").get_data(as_text=True)
    assert 'value="Asia/Makassar"' in form and "WITA" in form
    response = post(client, "/kelola/kantor/baru", new_kanim(app, regencies=[], timezone="Asia/Makassar"))
    assert response.status_code == 302
    assert "<td>WITA</td>" in client.get("/kelola/kantor").get_data(as_text=True)
    with app.app_context():
        kanim = office_by_code("kanim-kuala-tungkal")
        assert kanim.timezone == "Asia/Makassar"
        url = f"/kelola/kantor/{kanim.id}/wilayah"
    assert 'selected value="Asia/Makassar"' in client.get(url).get_data(as_text=True)
    refused = post(client, url, new_kanim(app, regencies=[], timezone="UTC"))
    assert refused.status_code == 400 and "UTC" in refused.get_data(as_text=True)
    assert post(client, url, new_kanim(app, regencies=[], timezone="Asia/Jayapura")).status_code == 302
    with app.app_context():
        assert office_by_code("kanim-kuala-tungkal").timezone == "Asia/Jayapura"


# The clock


@pytest.mark.parametrize("zone", ZONES)
def test_today_and_a_moments_day_are_the_zones_at_2330_and_0030(zone):
    where = ZoneInfo(zone)
    late, early = local(zone, 2026, 3, 31, 23, 30), local(zone, 2026, 4, 1, 0, 30)
    assert clock.today(where, now=late) == date(2026, 3, 31)
    assert clock.today(where, now=early) == date(2026, 4, 1)
    # stored as naive UTC, 00:30 local is still the day before in UTC: the zone decides
    assert stored(early).date() == date(2026, 3, 31)
    assert clock.local_day(stored(early), where) == date(2026, 4, 1)
    assert clock.local_day(stored(late), where) == date(2026, 3, 31)
    assert clock.utc_naive(date(2026, 4, 1), where) == datetime(2026, 3, 31, 24 - OFFSETS[zone])


def test_zone_of_an_office_and_of_none(app):
    with app.app_context():
        assert clock.zone_of(None).key == "Asia/Jakarta"
        assert clock.zone_of(Office(timezone="Asia/Jayapura")).key == "Asia/Jayapura"
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Makassar"
        assert clock.zone_of(None).key == "Asia/Makassar" and clock.reader_zone().key == "Asia/Makassar"
        assert [clock.abbreviation(ZoneInfo(z)) for z in ZONES] == ["WIB", "WITA", "WIT"]


@pytest.mark.parametrize(
    ("zone", "name"), [("Asia/Jakarta", "WIB"), ("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT")]
)
def test_a_moment_is_shown_in_the_zone_with_its_name(app, zone, name):
    moment = stored(local(zone, 2026, 4, 1, 0, 30))  # 31 March in UTC
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            text = clock.shown(moment, ZoneInfo(zone))
    assert "Apr 1, 2026" in text and "12:30" in text and text.endswith(name)


def test_pages_show_times_in_the_readers_office_zone_and_say_which(app, client, world):
    set_zone(app, "kanim-jambi", "Asia/Makassar")
    login(client, "maya")
    page = client.get("/kelola/?period=month").get_data(as_text=True)
    assert "WITA (Asia/Makassar)" in page
    admin = app.test_client()
    login(admin, "root")
    # the one office serving a regency is in WITA: so is the admin's national view of it
    assert "WITA (Asia/Makassar), the time zone" in admin.get("/kelola/?region=").get_data(as_text=True)


# A record's day, for its office


@pytest.mark.parametrize("zone", ZONES)
def test_a_record_at_2330_is_its_offices_on_the_last_day_and_at_0030_the_next_offices(zone):
    from outreach.scope import office_on

    handing_over = [(1, date(2026, 1, 1), date(2026, 3, 31), zone), (2, date(2026, 4, 1), None, zone)]
    assert office_on(handing_over, stored(local(zone, 2026, 3, 31, 23, 30))) == 1
    assert office_on(handing_over, stored(local(zone, 2026, 4, 1, 0, 30))) == 2


# The monthly report and the dashboard's "this month", near midnight


def add_visits(app, world, zone):
    """Visits in Sungai Putri at 23:30 on the last day of February and of March, and at 00:30 on 1 March and
    1 April, local time."""
    from tests.test_reports import visit

    with app.app_context():
        for moment in (
            local(zone, 2026, 2, 28, 23, 30),
            local(zone, 2026, 3, 1, 0, 30),
            local(zone, 2026, 3, 31, 23, 30),
            local(zone, 2026, 4, 1, 0, 30),
        ):
            visit(world.ani, "15.71.01.1001", stored(moment))
        db.session.commit()


@pytest.mark.parametrize("zone", ZONES)
def test_a_monthly_report_runs_from_the_first_at_0000_to_the_last_at_2359_local(app, world, zone):
    from outreach import reports

    set_zone(app, "kanim-jambi", zone)
    add_visits(app, world, zone)
    with app.app_context():
        kanim = office_by_code("kanim-jambi")
        march = reports.monthly_report(db.session, office=kanim, year=2026, month=3, today=date(2026, 4, 1))
        assert (march.first, march.last) == (date(2026, 3, 1), date(2026, 3, 31))
        assert march.totals.visits == 2  # 1 March 00:30 and 31 March 23:30, not 28 February nor 1 April
        assert march.coverage.covered == 1
        april = reports.monthly_report(db.session, office=kanim, year=2026, month=4, today=date(2026, 4, 1))
        assert april.totals.visits == 1


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("now", "visits"), [((2026, 3, 31, 23, 30), 2), ((2026, 4, 1, 0, 30), 1)])
def test_this_month_on_the_dashboard_starts_at_local_midnight(app, world, zone, now, visits):
    from outreach import coverage, periods

    set_zone(app, "kanim-jambi", zone)
    add_visits(app, world, zone)
    with app.app_context():
        where = clock.zone_of(office_by_code("kanim-jambi"))
        today = clock.today(where, now=local(zone, *now))
        month = periods.from_args({"period": "month"}, today=today)
        assert month.start == today.replace(day=1)
        figures = {
            code: coverage.coverage(
                db.session,
                region_code=code,
                start=month.start,
                end=month.end,
                offices={world.kanim},
                zone=where,
            ).totals
            for code in ("", "15", "15.71", "15.71.01")
        }
        # at 23:30 on 31 March: 1 and 31 March; at 00:30 on 1 April: that visit alone, from nation to district
        assert {f.visits for f in figures.values()} == {visits}
        assert {f.covered for f in figures.values()} == {1}


def test_the_manager_of_a_wit_office_sees_their_own_this_month(app, client, world):
    """A record made at 00:30 WIT today is today's for the office: the dashboard counts it in its days."""
    set_zone(app, "kanim-jambi", "Asia/Jayapura")
    now = datetime.now(ZoneInfo("Asia/Jayapura"))
    moment = now.replace(hour=0, minute=30, second=0, microsecond=0)
    with app.app_context():
        from tests.test_reports import visit

        visit(world.ani, "15.71.01.1001", stored(moment))
        db.session.commit()
    login(client, "maya")
    body = client.get("/api/v1/coverage?period=month&region=15.71").get_json()
    assert body["timezone"] == "Asia/Jayapura" and body["to"] == now.date().isoformat()
    assert body["totals"]["visits"] == 1


# A time sent without an offset


def test_a_time_without_offset_is_read_in_the_officers_office_zone(app, client, world, auth):
    from outreach.models import Visit
    from tests.conftest import visit_record

    set_zone(app, "kanim-jambi", "Asia/Jayapura")
    auth.login("ani")
    day = datetime.now(ZoneInfo("Asia/Jayapura")).date().replace(day=1)
    record = visit_record()
    record["data"]["occurred_at"] = f"{day.isoformat()}T00:30:00"
    answer = auth.push([record])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    with app.app_context():
        saved = db.session.get(Visit, record["id"])
        assert saved.occurred_at == stored(local("Asia/Jayapura", day.year, day.month, day.day, 0, 30))


@pytest.mark.parametrize("zone", ZONES)
def test_a_visit_at_0030_local_takes_the_village_off_todays_priorities(app, world, zone):
    from outreach import coverage
    from tests.test_reports import visit

    with app.app_context():
        visit(world.ani, "15.71.01.1001", stored(local(zone, 2026, 4, 1, 0, 30)))
        db.session.commit()
        where = ZoneInfo(zone)
        today = clock.today(where, now=local(zone, 2026, 4, 1, 0, 45))
        listed = coverage.priorities(db.session, today=today, offices={world.kanim}, zone=where)
        assert "15.71.01.1001" not in {p.desa.village_code for p in listed}
        yesterday = coverage.priorities(
            db.session, today=date(2026, 3, 31), offices={world.kanim}, zone=where
        )
        assert "15.71.01.1001" in {p.desa.village_code for p in yesterday}  # not yet visited on 31 March


@pytest.mark.parametrize("zone", ZONES)
def test_the_activity_chart_counts_weeks_and_months_of_the_offices_zone(app, world, zone):
    """A visit at 00:30 local on the 1st (still the day before in UTC) is drawn in the month and the week it
    happened in, and one at 23:30 on the last day stays in the month before."""
    from outreach import activity

    set_zone(app, "kanim-jambi", zone)
    add_visits(app, world, zone)  # 28 Feb 23:30, 1 Mar 00:30, 31 Mar 23:30, 1 Apr 00:30
    with app.app_context():
        where = ZoneInfo(zone)
        months = activity.activity(
            db.session, start=date(2026, 1, 1), end=date(2026, 4, 30), offices={world.kanim}, zone=where
        )
        assert months.by_month and months.buckets[1:] == [
            date(2026, 2, 1),
            date(2026, 3, 1),
            date(2026, 4, 1),
        ]
        [jambi] = months.series
        assert jambi.counts == [0, 1, 2, 1]
        # Monday 30 March to Sunday 5 April holds 31 March 23:30 and 1 April 00:30; the week before, 1 March
        weeks = activity.activity(
            db.session, start=date(2026, 2, 23), end=date(2026, 4, 5), offices={world.kanim}, zone=where
        )
        counts = dict(zip(weeks.buckets, weeks.series[0].counts, strict=True))
        assert counts[date(2026, 2, 23)] == 2 and counts[date(2026, 3, 30)] == 2
        assert sum(counts.values()) == 4


# The zone of the offices looked at, whoever looks


def test_a_regions_zone_is_that_of_the_offices_serving_it_when_they_share_one(app, world):
    from outreach import coverage

    set_zone(app, "kanim-jambi", "Asia/Makassar")
    with app.app_context():
        for code in ("15", "15.71", "15.71.01", "15.71.01.1001", coverage.NATION):
            assert coverage.region_zone(db.session, code, None) == ZoneInfo("Asia/Makassar"), code
        assert coverage.region_zone(db.session, "15.71", {world.kanim}) == ZoneInfo("Asia/Makassar")
        assert (
            coverage.region_zone(db.session, "15.71", {office_by_code("kanim-bungo").id}) is None
        )  # Bungo serves no regency here
        assert coverage.region_zone(db.session, "16", None) is None  # no office serves the region
        assert coverage.region_zone(db.session, "%", None) is None  # a code, not a pattern
        bungo = office_by_code("kanim-bungo")
        bungo.regencies = [db.session.get(Region, "15.71")]
        bungo.timezone = "Asia/Jakarta"
        db.session.commit()
        assert coverage.region_zone(db.session, "15", None) is None  # WIB and WITA serve it


@pytest.mark.parametrize("zone", ZONES)
def test_an_admin_counts_an_offices_region_in_its_zone_and_its_this_month_starts_at_its_midnight(
    app, world, zone
):
    """At 00:30 on 1 April in the office's zone, the admin's "this month" of its regency is April there, even
    while it is still 31 March in Jakarta (for WITA and WIT)."""
    from outreach import coverage
    from outreach.models import User

    set_zone(app, "kanim-jambi", zone)
    add_visits(app, world, zone)
    with app.app_context():
        root = db.session.scalar(select(User).where(User.username == "root"))
        choice = coverage.chosen(
            db.session,
            {"region": "15.71", "period": "month"},
            user=root,
            offices=None,
            fallback=clock.zone(),
            now=local(zone, 2026, 4, 1, 0, 30),
        )
        assert choice.zone == ZoneInfo(zone) and choice.zone_of_offices
        assert (choice.period.start, choice.period.end) == (date(2026, 4, 1), date(2026, 4, 1))
        figures = coverage.coverage(
            db.session,
            region_code="15.71",
            start=date(2026, 3, 1),
            end=date(2026, 3, 31),
            offices=None,
            zone=choice.zone,
        )
        assert figures.totals.visits == 2  # 1 March 00:30 and 31 March 23:30, local


def test_the_admins_pages_say_which_zone_they_count_in(app, client, world):
    set_zone(app, "kanim-jambi", "Asia/Jayapura")
    with app.app_context():
        bungo = office_by_code("kanim-bungo")
        bungo.regencies = [
            Region(code="15.08", name="Kabupaten Bungo", level=RegionLevel.regency, parent_code="15")
        ]
        db.session.commit()
    login(client, "root")
    page = client.get("/kelola/?region=15.71").get_data(as_text=True)
    assert "WIT (Asia/Jayapura), the time zone of the offices in view" in page
    # the chart image counts the same local weeks as the page's table: it is asked for with the region
    chart = re.search(r'src="(/kelola/aktivitas\.svg\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "region=15.71" in chart and client.get(chart).status_code == 200
    body = client.get("/api/v1/coverage?region=15.71").get_json()
    assert body["timezone"] == "Asia/Jayapura"
    # the province and the nation hold Jambi (WIT) and Bungo (WIB): the default zone, and the page says why
    page = client.get("/kelola/?region=15").get_data(as_text=True)
    assert "WIB (Asia/Jakarta): the offices in view do not share one time zone" in page
    assert client.get("/api/v1/coverage?region=").get_json()["timezone"] == "Asia/Jakarta"


def test_a_records_time_reads_in_its_offices_zone_whoever_reads_it(app, client, world):
    """00:30 on 1 April in Jayapura is 22:30 on 31 March in Jakarta: an admin in Jakarta reads the visit as
    the office recorded it, with the zone's name."""
    from tests.test_reports import visit

    set_zone(app, "kanim-jambi", "Asia/Jayapura")
    with app.app_context():
        visit(world.ani, "15.71.01.1001", stored(local("Asia/Jayapura", 2026, 4, 1, 0, 30)))
        db.session.commit()
    login(client, "root")
    page = client.get("/kelola/desa/15.71.01.1001").get_data(as_text=True)
    assert "Apr 1, 2026, 12:30\u202fAM WIT" in page or "Apr 1, 2026, 12:30 AM WIT" in page, page
    assert "WIB" not in page.split("<main", 1)[1].split("</main>", 1)[0]
