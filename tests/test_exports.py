"""Exports open in a spreadsheet library, hold the same figures as the dashboard, and stay within the office."""

import csv
import io

import pytest
from openpyxl import load_workbook

from outreach.exports import FORMULA_STARTS, as_csv, as_xlsx
from outreach.extensions import db
from outreach.models import EarlyWarning, User, Visit
from tests.test_coverage import START, TODAY, add, area  # noqa: F401  (the fixture)


def test_the_coverage_table_downloads_as_xlsx_with_the_dashboards_figures(client, auth, area):  # noqa: F811
    auth.login("maya")
    response = client.get(f"/kelola/ekspor/cakupan.xlsx?region=15&from={START}&to={TODAY}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Kode", "Wilayah", "Desa binaan")
    assert rows[-1][1] == "Jumlah" and rows[-1][2] == 5
    api = client.get(f"/api/v1/coverage?region=15&from={START}&to={TODAY}").get_json()
    assert rows[-1][3] == api["totals"]["covered"] and rows[-1][5] == api["totals"]["visits"]


def test_records_download_as_csv_for_the_period_and_office_only(client, auth, area):  # noqa: F811
    auth.login("maya")  # kanim-jambi: citra's visit in Bungo is not theirs
    response = client.get(f"/kelola/ekspor/visit.csv?from={START}&to={TODAY}")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "Petugas", "Kantor"]
    offices = {row[2] for row in rows[1:]}
    assert offices == {"Kanim Jambi"}
    assert len(rows) - 1 == 3  # two in Sungai Putri and the voided one (marked), not the one from last year
    assert sum(1 for row in rows[1:] if row[-2] == "ya") == 1


def test_every_record_type_downloads_as_xlsx(client, auth, area):  # noqa: F811
    auth.login("maya")
    for kind in ("visit", "session", "handout", "warning"):
        response = client.get(f"/kelola/ekspor/{kind}.xlsx?from={START}&to={TODAY}")
        assert response.status_code == 200
        assert load_workbook(io.BytesIO(response.data)).active.max_row >= 1
    assert client.get("/kelola/ekspor/visit.pdf").status_code == 404
    assert client.get("/kelola/ekspor/rahasia.csv").status_code == 404


FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1+1", "\r=1+1"]


@pytest.fixture
def typed_formulas(app, world, area):  # noqa: F811
    """An officer's warning and visits whose text a spreadsheet would run as formulas."""
    with app.app_context():
        add(
            EarlyWarning,
            world.ani,
            "15.71.01.1003",
            category="recruiter",
            urgency="segera",
            description=FORMULAS[0],
            people_involved="=1+1",
            source="villager",
        )
        for purpose in FORMULAS[1:]:
            add(Visit, world.ani, "15.71.01.1001", purpose=purpose, notes="@notes")
        db.session.commit()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def test_text_that_would_be_a_formula_gets_a_quote_in_front_in_csv(client, auth, typed_formulas):
    auth.login("maya")
    cells = [
        cell
        for kind in ("warning", "visit")
        for row in csv_rows(client.get(f"/kelola/ekspor/{kind}.csv?from={START}&to={TODAY}"))
        for cell in row
    ]
    for formula in FORMULAS:
        assert "'" + formula in cells
    assert "'=1+1" in cells and "'@notes" in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


def test_text_that_would_be_a_formula_is_a_text_cell_in_xlsx(client, auth, typed_formulas):
    auth.login("maya")
    cells = []
    for kind in ("warning", "visit"):
        response = client.get(f"/kelola/ekspor/{kind}.xlsx?from={START}&to={TODAY}")
        cells += [cell for row in load_workbook(io.BytesIO(response.data)).active.iter_rows() for cell in row]
    assert [cell.value for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    # XML reads a carriage return as a line feed: the cell still starts with it, as text
    assert {f.replace("\r", "\n") for f in FORMULAS} <= texts and {"=1+1", "@notes"} <= texts


def test_a_typed_name_in_the_monthly_report_is_no_formula_in_either_format(app, client, auth, world, area):  # noqa: F811
    with app.app_context():
        db.session.get(User, world.ani).full_name = '=HYPERLINK("http://x","Ani")'
        db.session.commit()
    auth.login("maya")
    path = f"/kelola/laporan/{area['jambi']}/{TODAY:%Y-%m}/petugas"
    assert '\'=HYPERLINK("http://x","Ani")' in [row[0] for row in csv_rows(client.get(path + ".csv"))]
    sheet = load_workbook(io.BytesIO(client.get(path + ".xlsx").data)).active
    names = [row[0] for row in sheet.iter_rows()]
    assert '=HYPERLINK("http://x","Ani")' in [cell.value for cell in names if cell.data_type == "s"]


def test_numbers_stay_numbers_and_only_text_is_neutralised():
    header, rows = ["a", "b", "c", "d"], [[-3, "-3", 2.5, None]]
    assert as_csv(header, rows).decode("utf-8-sig").splitlines()[1] == "-3,'-3,2.5,"
    sheet = load_workbook(io.BytesIO(as_xlsx("t", header, rows))).active
    values = list(sheet.iter_rows())[1]
    assert [cell.value for cell in values[:3]] == [-3, "-3", 2.5]
    assert [cell.data_type for cell in values[:3]] == ["n", "s", "n"]


def test_a_control_character_an_officer_pushed_does_not_break_the_xlsx(client, auth, app, world, area):  # noqa: F811
    with app.app_context():
        add(Visit, world.ani, "15.71.01.1001", purpose="Sosialisasi\x01\x1b desa", notes="")
        db.session.commit()
    auth.login("maya")
    response = client.get(f"/kelola/ekspor/visit.xlsx?from={START}&to={TODAY}")
    assert response.status_code == 200
    values = [
        cell
        for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)
        for cell in row
    ]
    assert "Sosialisasi desa" in values


def test_a_warning_downloads_with_its_kind_urgency_and_source_in_words_not_codes(
    client, auth, typed_formulas
):
    auth.login("maya")
    response = client.get(f"/kelola/ekspor/warning.xlsx?from={START}&to={TODAY}")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    warning = dict(zip(rows[0], rows[1], strict=True))
    assert "recruiter" not in warning.values() and "segera" not in warning.values()
    assert warning["Tingkat urgensi"] == "Segera"
    client.set_cookie("lang", "en")
    english = list(
        load_workbook(
            io.BytesIO(client.get(f"/kelola/ekspor/warning.xlsx?from={START}&to={TODAY}").data)
        ).active.iter_rows(values_only=True)
    )
    assert dict(zip(english[0], english[1], strict=True))["Urgency"] == "Immediate (segera)"
