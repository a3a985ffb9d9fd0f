"""Exports open in a spreadsheet library, hold the same figures as the dashboard, and stay within the office."""
import csv
import io

from openpyxl import load_workbook

from tests.test_coverage import START, TODAY, area  # noqa: F401  (the fixture)


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
