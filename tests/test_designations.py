"""Managers designate desa binaan from the region tree, change their risk, end them and assign their officers,
within the offices in their scope; officers' phones follow."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Assignment, DesaBinaan, Office, RiskLevel, Visit
from outreach.regions import import_regions
from tests.conftest import JAMBI_REGIONS, Auth, make_user, today, visit_record

NEW = "/kelola/desa-binaan/baru"


def login(client, username):
    client.set_cookie("lang", "en")
    Auth(client).login(username)


def token(client):
    page = client.get("/kelola/desa-binaan").get_data(as_text=True)
    return re.search(r'csrf_token"[^>]*value="([^"]+)"', page).group(1)


def post(client, url, data, prefix=""):
    """Post a form the way the page does, with its CSRF token (named with the form's prefix)."""
    return client.post(url, data={f"{prefix}csrf_token": token(client), **data})


def office_id(app, code):
    with app.app_context():
        return db.session.scalar(select(Office.id).where(Office.code == code))


def designation(app, village):
    """The active designation of a village, if any."""
    with app.app_context():
        return db.session.scalar(
            select(DesaBinaan).where(DesaBinaan.village_code == village, DesaBinaan.ended_on.is_(None))
        )


def designate(client, village, **data):
    sent = {"risk_level": "tinggi", "designated_on": today().isoformat(), **data}
    return post(client, f"{NEW}?village={village}", sent)


def end(client, desa_id, day):
    return post(client, f"/kelola/desa-binaan/{desa_id}/akhiri", {"end-ended_on": day}, prefix="end-")


def assign(client, desa_id, officer):
    url = f"/kelola/desa-binaan/{desa_id}/petugas"
    return post(client, url, {"assign-officer": officer}, prefix="assign-")


def remove(client, desa_id, officer):
    return post(client, f"/kelola/desa-binaan/{desa_id}/petugas/{officer}/hapus", {})


def covered(client, region, start, stop):
    """The dashboard's line "x of y desa binaan covered" for a region and a period."""
    page = client.get(f"/kelola/?region={region}&from={start}&to={stop}").get_data(as_text=True)
    return re.search(r"\d+ of \d+ desa binaan covered", page).group(0)


def phone_villages(app, username):
    phone = app.test_client()
    Auth(phone).login(username)
    return {v["code"]: v for v in phone.get("/api/v1/me").get_json()["villages"]}


def add_manager(app, username, office_code):
    with app.app_context():
        make_user(username, "manager", db.session.scalar(select(Office).where(Office.code == office_code)))
        db.session.commit()


def import_jambi(app):
    with app.app_context(), open(JAMBI_REGIONS, encoding="utf-8-sig", newline="") as stream:
        import_regions(db.session, stream)
        db.session.commit()


def links(page):
    return re.findall(r'href="([^"]+)"', page.replace("&amp;", "&"))


def test_a_manager_designates_a_village_by_walking_the_tree_and_its_officer_gets_it(app, client, world):
    login(client, "maya")
    top = client.get(NEW).get_data(as_text=True)
    assert f"{NEW}?region=15.71" in links(top)  # Kanim Jambi covers Kota Jambi only
    regency = client.get(f"{NEW}?region=15.71").get_data(as_text=True)
    assert f"{NEW}?region=15.71.01" in links(regency) and "Kota Baru" in regency
    district = client.get(f"{NEW}?region=15.71.01").get_data(as_text=True)
    assert f"{NEW}?village=15.71.01.1005" in links(district)
    assert f"{NEW}?village=15.71.01.1001" not in links(district)  # a desa binaan already: marked, no link
    assert "desa binaan of Kanim Jambi" in district

    form = client.get(f"{NEW}?village=15.71.01.1005").get_data(as_text=True)
    assert "Designate Murni" in form and "Jambi</a> › <a" in form
    assert re.search(rf'<option selected value="{world.kanim}">Kanim Jambi</option>', form)
    assert ">High</option>" in form and ">Medium</option>" in form and ">Low</option>" in form
    response = designate(client, "15.71.01.1005", office=world.kanim, risk_level="sedang", reason="Kantong")
    assert response.status_code == 302
    murni = designation(app, "15.71.01.1005")
    assert (murni.office_id, murni.risk_level, murni.reason) == (world.kanim, RiskLevel.sedang, "Kantong")
    assert response.headers["Location"].endswith(f"/kelola/desa-binaan/{murni.id}")

    assert assign(client, murni.id, world.budi).status_code == 302
    page = client.get(f"/kelola/desa-binaan/{murni.id}").get_data(as_text=True)
    assert "Budi" in page and "Medium" in page
    assert phone_villages(app, "budi")["15.71.01.1005"]["risk_level"] == "sedang"
    assert "15.71.01.1005" not in phone_villages(app, "ani")

    listing = client.get("/kelola/desa-binaan").get_data(as_text=True)
    assert "Kota Jambi › Kota Baru › " in listing and f"/kelola/desa-binaan/{murni.id}" in listing
    assert "/kelola/desa/15.71.01.1005" in listing
    dashboard = client.get("/kelola/?region=15.71.01").get_data(as_text=True)
    assert "0 of 5 desa binaan covered" in dashboard and "/kelola/desa/15.71.01.1005" in dashboard


def test_the_tree_and_the_search_work_with_the_whole_province(app, client, world):
    import_jambi(app)
    login(client, "root")
    top = client.get(NEW).get_data(as_text=True)
    assert f"{NEW}?region=15" in links(top)
    province = client.get(f"{NEW}?region=15").get_data(as_text=True)
    assert province.count(f'href="{NEW}?region=15.') == 11  # nine regencies, two cities
    assert f"{NEW}?region=15.01.01" in links(client.get(f"{NEW}?region=15.01").get_data(as_text=True))
    district = client.get(f"{NEW}?region=15.01.01").get_data(as_text=True)
    assert f"{NEW}?village=15.01.01.1004" in links(district) and "Lempur Tengah" in district

    found = client.get(f"{NEW}?q=lempur").get_data(as_text=True)
    assert f"{NEW}?village=15.01.01.1004" in links(found) and "Kabupaten Kerinci › Gunung Raya" in found
    many = client.get(f"{NEW}?q=a").get_data(as_text=True)
    assert many.count(f'href="{NEW}?village=') == 30 and "Only the first 30 are shown" in many
    assert "No village found." in client.get(f"{NEW}?q=%25_zz").get_data(as_text=True)

    redirect = client.get(f"{NEW}?region=15.01.01.1004")
    assert redirect.headers["Location"].endswith(f"{NEW}?village=15.01.01.1004")


def test_a_manager_sees_only_the_regencies_of_their_offices(app, client, world):
    import_jambi(app)
    login(client, "maya")
    assert client.get(f"{NEW}?region=15.01").status_code == 404
    assert client.get(f"{NEW}?region=15.01.01").status_code == 404
    assert client.get(f"{NEW}?village=15.01.01.1004").status_code == 404
    province = client.get(f"{NEW}?region=15").get_data(as_text=True)
    assert province.count(f'href="{NEW}?region=15.') == 1
    found = client.get(f"{NEW}?q=kenali").get_data(as_text=True)
    assert "Buluran Kenali" in found
    assert "Lempur" not in client.get(f"{NEW}?q=lempur").get_data(as_text=True)


def test_a_second_designation_of_the_same_village_is_refused_with_a_message(app, client, world):
    login(client, "maya")
    page = client.get(f"{NEW}?village=15.71.01.1001").get_data(as_text=True)
    assert "Sungai Putri is a desa binaan of Kanim Jambi already." in page
    response = designate(client, "15.71.01.1001", office=world.kanim)
    assert response.status_code == 400
    assert "Sungai Putri is a desa binaan of Kanim Jambi already." in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(DesaBinaan).where(DesaBinaan.village_code == "15.71.01.1001")
            )
            == 1
        )


def test_a_village_outside_the_offices_regencies_is_refused(app, client, world):
    import_jambi(app)
    add_manager(app, "wulan", "kanwil-jambi")
    login(client, "wulan")  # the Kanwil: its Kanim Bungo covers no regency yet, so the whole province is open
    assert f"{NEW}?region=15.01" in links(client.get(f"{NEW}?region=15").get_data(as_text=True))
    response = designate(client, "15.01.01.1004", office=world.kanim)
    assert response.status_code == 400
    assert "Lempur Tengah lies outside the regencies Kanim Jambi covers." in response.get_data(as_text=True)
    assert designation(app, "15.01.01.1004") is None

    bungo = office_id(app, "kanim-bungo")
    assert designate(client, "15.01.01.1004", office=bungo).status_code == 302
    assert designation(app, "15.01.01.1004").office_id == bungo


def test_a_kanim_manager_cannot_see_or_change_another_kanims_desa_binaan(app, client, world):
    bungo = office_id(app, "kanim-bungo")
    with app.app_context():
        other = DesaBinaan(
            village_code="15.71.01.1005",
            office_id=bungo,
            risk_level=RiskLevel.rendah,
            designated_on=date(2025, 3, 1),
        )
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    login(client, "maya")
    assert client.get(f"/kelola/desa-binaan/{other_id}").status_code == 404
    assert post(client, f"/kelola/desa-binaan/{other_id}", {"risk_level": "tinggi"}).status_code == 404
    assert end(client, other_id, today().isoformat()).status_code == 404
    assert assign(client, other_id, world.citra).status_code == 404
    assert remove(client, other_id, world.citra).status_code == 404
    assert "Murni" not in client.get("/kelola/desa-binaan").get_data(as_text=True)

    form = client.get(f"{NEW}?village=15.71.01.1005").get_data(as_text=True)
    assert "Kanim Bungo</option>" not in form
    response = designate(client, "15.71.01.1005", office=bungo)
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DesaBinaan)) == 5
        assert db.session.get(DesaBinaan, other_id).risk_level == RiskLevel.rendah


def test_the_kanwil_manager_manages_the_desa_binaan_of_its_kanim(app, client, world):
    add_manager(app, "wulan", "kanwil-jambi")
    login(client, "wulan")
    desa_id = world.desa["15.71.01.1004"]
    assert client.get(f"/kelola/desa-binaan/{desa_id}").status_code == 200
    response = post(client, f"/kelola/desa-binaan/{desa_id}", {"risk_level": "rendah", "reason": "Aman"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(DesaBinaan, desa_id).risk_level == RiskLevel.rendah


def test_a_manager_changes_the_risk_level_and_the_officers_phone_follows(app, client, world):
    login(client, "maya")
    desa_id = world.desa["15.71.01.1001"]
    response = post(client, f"/kelola/desa-binaan/{desa_id}", {"risk_level": "rendah", "reason": "Aman"})
    assert response.status_code == 302
    assert "<dd>Aman</dd>" in client.get(f"/kelola/desa-binaan/{desa_id}").get_data(as_text=True)
    assert phone_villages(app, "ani")["15.71.01.1001"]["risk_level"] == "rendah"
    assert post(client, f"/kelola/desa-binaan/{desa_id}", {"risk_level": "extreme"}).status_code == 400


def past_visit(days_ago, village="15.71.01.1001"):
    record = visit_record(village)
    record["data"]["occurred_at"] = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    return record


def test_ending_a_designation_takes_it_off_the_phone_and_keeps_records_and_past_coverage(app, client, world):
    phone = app.test_client()
    Auth(phone).login("ani")
    assert Auth(phone).push([past_visit(3)]).get_json()["results"][0]["status"] == "accepted"
    desa_id = world.desa["15.71.01.1001"]
    login(client, "maya")
    page = client.get(f"/kelola/desa-binaan/{desa_id}").get_data(as_text=True)
    assert f'value="{today().isoformat()}"' in page  # the end date proposed: today

    assert end(client, desa_id, today().isoformat()).status_code == 302
    assert "15.71.01.1001" not in {v["code"] for v in phone.get("/api/v1/me").get_json()["villages"]}
    assert "15.71.01.1002" in {v["code"] for v in phone.get("/api/v1/me").get_json()["villages"]}
    with app.app_context():
        assert db.session.get(DesaBinaan, desa_id).ended_on == today()
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
        assert (
            db.session.scalar(
                select(func.count()).select_from(Assignment).where(Assignment.desa_binaan_id == desa_id)
            )
            == 1
        )

    now, day = today(), timedelta(days=1)
    assert covered(client, "15.71.01", now - 10 * day, now - day) == "1 of 4 desa binaan covered"
    assert covered(client, "15.71.01", now + day, now + 7 * day) == "0 of 3 desa binaan covered"
    assert "Sungai Putri" not in client.get("/kelola/desa-binaan").get_data(as_text=True)
    assert "Sungai Putri" in client.get("/kelola/desa-binaan?status=ended").get_data(as_text=True)
    village = client.get("/kelola/desa/15.71.01.1001").get_data(as_text=True)
    assert "Koordinasi dengan kepala desa" in village and "ended" in village

    again = end(client, desa_id, now.isoformat())
    assert again.status_code == 400 and "This designation has ended already." in again.get_data(as_text=True)
    assert post(client, f"/kelola/desa-binaan/{desa_id}", {"risk_level": "rendah"}).status_code == 400

    # The village can be designated again, as a new designation.
    district = client.get(f"{NEW}?region=15.71.01").get_data(as_text=True)
    assert f"{NEW}?village=15.71.01.1001" in links(district)


@pytest.mark.parametrize(
    "ended_on, message",
    [
        ("2099-01-01", "The date cannot be in the future."),
        ("2024-12-31", "The end cannot be before the designation (2025-01-06)."),
        ("2025-13-45", "Not a valid date value."),
        ("", "Not a valid date value."),
    ],
)
def test_an_end_date_out_of_bounds_is_refused_with_a_message(app, client, world, ended_on, message):
    login(client, "maya")
    desa_id = world.desa["15.71.01.1001"]
    response = end(client, desa_id, ended_on)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(DesaBinaan, desa_id).ended_on is None


def test_a_manager_assigns_and_removes_an_officer_and_the_records_stay(app, client, world):
    phone = app.test_client()
    Auth(phone).login("ani")
    assert Auth(phone).push([visit_record("15.71.01.1001")]).get_json()["results"][0]["status"] == "accepted"
    login(client, "maya")
    kasang = world.desa["15.71.01.1004"]
    page = client.get(f"/kelola/desa-binaan/{kasang}").get_data(as_text=True)
    assert "No officer looks after it yet." in page
    assert re.search(r'<option value="\d+">Ani</option>', page) and "Citra" not in page

    assert assign(client, kasang, world.ani).status_code == 302
    assert "15.71.01.1004" in {v["code"] for v in phone.get("/api/v1/me").get_json()["villages"]}
    again = assign(client, kasang, world.ani)
    assert again.status_code == 400 and "Not a valid choice" in again.get_data(as_text=True)
    assert assign(client, kasang, world.citra).status_code == 400  # an officer of another Kanim
    assert assign(client, kasang, "x").status_code == 400

    sungai_putri = world.desa["15.71.01.1001"]
    assert remove(client, sungai_putri, world.ani).status_code == 302
    villages = {v["code"] for v in phone.get("/api/v1/me").get_json()["villages"]}
    assert "15.71.01.1001" not in villages and "15.71.01.1004" in villages
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    assert "Koordinasi dengan kepala desa" in client.get("/kelola/desa/15.71.01.1001").get_data(as_text=True)
    missing = remove(client, sungai_putri, world.ani)
    assert missing.status_code == 404
    assert "Ani does not look after this desa binaan." in missing.get_data(as_text=True)
    assert remove(client, sungai_putri, 9999).status_code == 404


def test_an_inactive_officer_cannot_be_assigned(app, client, world):
    with app.app_context():
        make_user("dedi", "officer", db.session.get(Office, world.kanim), active=False)
        db.session.commit()
    login(client, "maya")
    page = client.get(f"/kelola/desa-binaan/{world.desa['15.71.01.1004']}").get_data(as_text=True)
    assert "Dedi" not in page and "Ani" in page


def test_officers_cannot_open_the_desa_binaan_pages(client, world):
    login(client, "ani")
    desa_id = world.desa["15.71.01.1001"]
    for url in ("/kelola/desa-binaan", NEW, f"{NEW}?village=15.71.01.1005", f"/kelola/desa-binaan/{desa_id}"):
        assert client.get(url).status_code == 403
    for url in (
        f"/kelola/desa-binaan/{desa_id}/akhiri",
        f"/kelola/desa-binaan/{desa_id}/petugas",
        f"/kelola/desa-binaan/{desa_id}/petugas/{world.ani}/hapus",
    ):
        assert post(client, url, {"end-ended_on": today().isoformat()}, prefix="end-").status_code == 403
    with client.application.app_context():
        assert db.session.get(DesaBinaan, desa_id).ended_on is None


@pytest.mark.parametrize(
    "url, status, message",
    [
        (f"{NEW}?region=15.99", 404, "No region has the code 15.99."),
        (f"{NEW}?region=kota%00jambi", 400, "NUL character"),
        (f"{NEW}?village=15.71.01.9999", 404, "No region has the code 15.71.01.9999."),
        (f"{NEW}?village=15.71", 400, "Kota Jambi is not a village: choose a village."),
        ("/kelola/desa-binaan?status=all-of-them", 400, "Unknown filter"),
        ("/kelola/desa-binaan/999999", 404, "This page does not exist."),
    ],
)
def test_bad_addresses_are_answered_with_a_message(client, world, url, status, message):
    login(client, "maya")
    response = client.get(url)
    assert response.status_code == status and message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"designated_on": "2099-01-01"}, "The date cannot be in the future."),
        ({"designated_on": "06/01/2025"}, "Not a valid date value."),
        ({"risk_level": "extreme"}, "Not a valid choice"),
        ({"office": "kanim"}, "Invalid Choice: could not coerce"),
        ({"reason": "x" * 2001}, "Field cannot be longer than 2000 characters."),
    ],
)
def test_a_designation_with_bad_input_is_refused_with_a_message(app, client, world, data, message):
    login(client, "maya")
    response = designate(client, "15.71.01.1005", **{"office": world.kanim, **data})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert designation(app, "15.71.01.1005") is None


def test_posting_without_choosing_a_village_is_refused(client, world):
    login(client, "maya")
    response = post(client, NEW, {"office": world.kanim})
    assert response.status_code == 400 and "Choose a village first." in response.get_data(as_text=True)


def test_the_dashboard_links_the_desa_binaan_and_for_admins_the_offices(app, client, world):
    login(client, "maya")
    page = client.get("/kelola/").get_data(as_text=True)
    assert 'href="/kelola/desa-binaan"' in page and 'href="/kelola/kantor"' not in page
    admin = app.test_client()
    login(admin, "root")
    assert 'href="/kelola/kantor"' in admin.get("/kelola/").get_data(as_text=True)
