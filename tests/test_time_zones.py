"""Each office has its time zone (WIB, WITA or WIT): how it is set, and what a manager of an office in Makassar
or Jayapura notices near midnight: records on the right day, "today", a monthly report's first and last day,
the dashboard's "this month", and times shown with their zone's name."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Office
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
