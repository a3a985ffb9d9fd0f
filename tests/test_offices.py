"""Administrators set up the offices and the regencies each covers; managers may not."""

import re

import pytest
from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Office, OfficeKind
from tests.test_designations import NEW, add_manager, import_jambi, links, login, post

CHECKED = re.compile(
    r'<input [^>]*\bchecked id="regencies-\d+" name="regencies" type="checkbox" value="([\d.]+)">'
)


def office(app, code):
    """(id, name, kind, parent's code, regency codes) of an office, or None."""
    with app.app_context():
        found = db.session.scalar(select(Office).where(Office.code == code))
        return found and (
            found.id,
            found.name,
            found.kind,
            found.parent.code if found.parent else None,
            [r.code for r in found.regencies],
        )


def new_kanim(app, **changes):
    return {
        "code": "kanim-kuala-tungkal",
        "name": "Kanim Kuala Tungkal",
        "kind": "kanim",
        "parent": office(app, "kanwil-jambi")[0],
        "regencies": ["15.06", "15.07"],
        **changes,
    }


def new_kanwil(client, code, name):
    return post(client, "/kelola/kantor/baru", {"code": code, "name": name, "kind": "kanwil", "parent": ""})


def test_the_admin_sees_every_office_with_its_regencies_users_and_desa_binaan(app, client, world):
    login(client, "root")
    page = client.get("/kelola/kantor").get_data(as_text=True)
    row = page[page.index("kanim-jambi</a>") :].split("</tr>")[0]
    assert "Kanim Jambi" in row and "Kanwil Jambi" in row and "Kota Jambi" in row
    assert "<td>3</td><td>4</td>" in row  # ani, budi, maya; four desa binaan
    assert {f"/kelola/kantor/{world.kanim}/wilayah", f"/kelola/kantor/{world.kanim}"} <= set(links(page))


def test_the_admin_creates_a_kanim_and_its_manager_chooses_villages_only_in_its_regencies(app, client, world):
    import_jambi(app)
    login(client, "root")
    form = client.get("/kelola/kantor/baru").get_data(as_text=True)
    assert "Kota Jambi (15.71) · Kanim Jambi" in form and 'value="15.06"' in form
    response = post(client, "/kelola/kantor/baru", new_kanim(app))
    assert response.status_code == 302 and response.headers["Location"].endswith("/kelola/kantor")
    assert office(app, "kanim-kuala-tungkal")[1:] == (
        "Kanim Kuala Tungkal",
        OfficeKind.kanim,
        "kanwil-jambi",
        ["15.06", "15.07"],
    )

    add_manager(app, "tono", "kanim-kuala-tungkal")
    manager = app.test_client()
    login(manager, "tono")
    top = manager.get(NEW).get_data(as_text=True)
    assert {f"{NEW}?region=15.06", f"{NEW}?region=15.07"} <= set(links(top))
    assert manager.get(f"{NEW}?region=15.71").status_code == 404


def test_the_admin_changes_the_regencies_an_office_covers(app, client, world):
    import_jambi(app)
    bungo = office(app, "kanim-bungo")[0]
    url = f"/kelola/kantor/{bungo}/wilayah"
    login(client, "root")
    assert 'value="kanim-bungo"' in client.get(url).get_data(as_text=True)
    kanwil = office(app, "kanwil-jambi")[0]
    data = {"code": "kanim-bungo", "name": "Kanim Bungo", "kind": "kanim", "parent": kanwil}
    assert post(client, url, {**data, "regencies": ["15.08", "15.09"]}).status_code == 302
    assert office(app, "kanim-bungo")[4] == ["15.08", "15.09"]
    assert CHECKED.findall(client.get(url).get_data(as_text=True)) == ["15.08", "15.09"]
    assert post(client, url, {**data, "regencies": ["15.09"]}).status_code == 302
    assert office(app, "kanim-bungo")[4] == ["15.09"]


def test_a_regency_covered_by_another_kanim_is_refused_naming_that_office(app, client, world):
    import_jambi(app)
    login(client, "root")
    response = post(client, "/kelola/kantor/baru", new_kanim(app, regencies=["15.06", "15.71"]))
    assert response.status_code == 400
    assert "Kota Jambi is covered by Kanim Jambi already." in response.get_data(as_text=True)
    assert office(app, "kanim-kuala-tungkal") is None


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"code": "kanim-jambi"}, "Another office has the code kanim-jambi."),
        ({"code": "Kanim Baru"}, "Use lower-case letters, digits and dashes only."),
        ({"code": ""}, "This field is required."),
        ({"name": ""}, "This field is required."),
        ({"parent": ""}, "A Kanim belongs to a Kanwil: choose it."),
        ({"kind": "kanwil"}, "A Kanwil belongs to no other office."),
        ({"kind": "kantor"}, "Not a valid choice"),
        ({"parent": "abc"}, "Invalid Choice: could not coerce"),
        ({"parent": "999"}, "Not a valid choice"),
        ({"regencies": ["15.06", "15.71.01", "99.99"]}, "Not regencies: 15.71.01, 99.99."),
    ],
)
def test_an_office_with_bad_input_is_refused_with_a_message(app, client, world, changes, message):
    import_jambi(app)
    login(client, "root")
    response = post(client, "/kelola/kantor/baru", new_kanim(app, **changes))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert office(app, "kanim-kuala-tungkal") is None


def test_a_kanim_belongs_to_a_kanwil_and_a_kanwil_with_kanim_stays_a_kanwil(app, client, world):
    login(client, "root")
    response = post(client, "/kelola/kantor/baru", new_kanim(app, parent=world.kanim, regencies=[]))
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    assert new_kanwil(client, "kanwil-riau", "Kanwil Riau").status_code == 302
    kanwil = office(app, "kanwil-jambi")[0]
    url = f"/kelola/kantor/{kanwil}/wilayah"
    data = {"code": "kanwil-jambi", "name": "Kanwil Jambi", "kind": "kanim"}
    response = post(client, url, {**data, "parent": office(app, "kanwil-riau")[0]})
    assert response.status_code == 400
    assert "Kanwil Jambi has Kanim under it: it stays a Kanwil." in response.get_data(as_text=True)
    assert office(app, "kanwil-jambi")[2:4] == (OfficeKind.kanwil, None)
    itself = post(client, url, {**data, "parent": kanwil})
    assert itself.status_code == 400 and "Not a valid choice" in itself.get_data(as_text=True)


def test_a_new_kanwil_needs_no_parent(app, client, world):
    login(client, "root")
    assert new_kanwil(client, "kanwil-riau", "Kanwil Riau").status_code == 302
    assert office(app, "kanwil-riau")[2:] == (OfficeKind.kanwil, None, [])


def test_managers_and_officers_cannot_open_the_office_pages(app, client, world):
    login(client, "maya")
    for url in ("/kelola/kantor", "/kelola/kantor/baru", f"/kelola/kantor/{world.kanim}/wilayah"):
        assert client.get(url).status_code == 403
    assert post(client, "/kelola/kantor/baru", new_kanim(app)).status_code == 403
    assert office(app, "kanim-kuala-tungkal") is None
    officer = app.test_client()
    login(officer, "ani")
    assert officer.get("/kelola/kantor").status_code == 403


def test_an_unknown_office_is_not_found(client, world):
    login(client, "root")
    assert client.get("/kelola/kantor/9999/wilayah").status_code == 404
