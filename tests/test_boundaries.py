"""Region outlines: imported from GeoJSON whole or not at all, again without change, and drawn on the coverage map
shaded by coverage and named with their figures."""

import io
import json
import re
from datetime import datetime, timedelta
from importlib import resources

import pytest
from sqlalchemy import func, select

from outreach import boundaries, charts, clock, coverage
from outreach.extensions import db
from outreach.models import AuditEntry, Region, RegionBoundary, RegionLevel, Visit
from tests.conftest import today


def square(west, south, size=0.1):
    return [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]


def feature(code, name, level, ring=None, kind="Polygon"):
    rings = [ring or square(103.5, -1.7)]
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level},
        "geometry": {"type": kind, "coordinates": rings if kind == "Polygon" else [rings]},
    }


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


KOTA_JAMBI = collection(
    feature("15.71", "Kota Jambi", "regency", square(103.5, -1.7, 0.2)),
    feature("15.71.01", "Kota Baru", "district", square(103.5, -1.7), kind="MultiPolygon"),
    feature("15.71.02", "Jambi Selatan", "district", square(103.6, -1.7)),
)


def stored():
    return {b.code: (b.level.value, b.name) for b in db.session.scalars(select(RegionBoundary))}


@pytest.mark.usefixtures("ctx")
def test_the_shipped_jambi_file_imports_once_and_again_changes_nothing():
    with resources.files("outreach").joinpath("data/jambi_boundaries.geojson").open("rb") as stream:
        first = boundaries.import_boundaries(db.session, stream)
    assert (first.added["province"], first.added["regency"], first.added["district"]) == (1, 11, 144)
    with resources.files("outreach").joinpath("data/jambi_boundaries.geojson").open("rb") as stream:
        again = boundaries.import_boundaries(db.session, stream)
    assert sum(again.added.values()) == sum(again.updated.values()) == 0
    assert sum(again.unchanged.values()) == 156
    assert stored()["15.71"] == ("regency", "Kota Jambi")


@pytest.mark.usefixtures("ctx")
def test_a_changed_outline_replaces_the_stored_one_rounded_to_four_decimals():
    boundaries.import_boundaries(db.session, io.BytesIO(KOTA_JAMBI))
    moved = collection(feature("15.71.01", "Kota Baru", "district", square(103.123456789, -1.7)))
    report = boundaries.import_boundaries(db.session, io.BytesIO(moved))
    assert report.updated["district"] == 1
    outline = boundaries.outlines(db.session, ["15.71.01"])["15.71.01"]
    assert outline[0][0][0] == [103.1235, -1.7]  # one polygon, its outline, its first point


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (feature("15.71.03", "Pasar", "district", [[103.5, -1.7], [103.6, -1.7]]), "at least four points"),
        (feature("15.71.03", "Pasar", "district", square(-1.7, 103.5)), "not on Earth (longitude first)"),
        (feature("15.71.3", "Pasar", "district"), "not a Kemendagri district code"),
        (feature("15.71.03", "Pasar", "kota"), "level must be one of"),
        (feature("15.71.03", "", "district"), "the name must be 1 to 120 characters"),
        (
            dict(feature("15.71.03", "Pasar", "district"), geometry={"type": "Point"}),
            "Polygon or a MultiPolygon",
        ),
        (feature("15.71.01", "Kota Baru", "district"), "the code 15.71.01 is in the file twice"),
    ],
)
def test_a_bad_feature_stops_the_import_with_its_position_and_nothing_is_imported(
    runner, ctx, tmp_path, bad, message
):
    path = tmp_path / "batas.geojson"
    good = json.loads(KOTA_JAMBI)["features"]
    path.write_bytes(collection(*good, bad))
    result = runner.invoke(args=["import-boundaries", str(path)])
    assert result.exit_code == 1
    assert (
        "feature 4" in result.output and message in result.output and "Nothing was imported." in result.output
    )
    assert stored() == {}


def test_a_file_that_is_not_geojson_says_where_it_breaks(runner, ctx, tmp_path):
    path = tmp_path / "batas.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [,]}')
    result = runner.invoke(args=["import-boundaries", str(path)])
    assert result.exit_code == 1 and "line 2, column" in result.output
    path.write_text('{"type": "Feature"}')
    assert "one GeoJSON FeatureCollection" in runner.invoke(args=["import-boundaries", str(path)]).output


def test_the_command_imports_a_file_reports_by_level_and_notes_it_in_the_audit_log(runner, ctx, tmp_path):
    path = tmp_path / "batas.geojson"
    path.write_bytes(KOTA_JAMBI)
    result = runner.invoke(args=["import-boundaries", str(path)])
    assert result.exit_code == 0, result.output
    assert "regency boundaries: 1 added" in result.output and "district boundaries: 2 added" in result.output
    assert set(stored()) == {"15.71", "15.71.01", "15.71.02"}
    again = runner.invoke(args=["import-boundaries", str(path)])
    assert "district boundaries: 0 added, 0 updated, 2 unchanged" in again.output
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.label == "batas.geojson")
        )
        == 2
    )


def visit_today(officer_id, village):
    moment = datetime.combine(today(), datetime.min.time()) + timedelta(hours=3)
    db.session.add(
        Visit(
            id="00000000-0000-4000-8000-00000000b001",
            officer_id=officer_id,
            village_code=village,
            occurred_at=moment,
            client_updated_at=moment,
            rev=1,
            version=1,
            purpose="x",
            notes="",
        )
    )
    db.session.commit()


def test_the_map_shades_each_area_by_coverage_names_it_on_hover_and_in_the_table_beside_it(
    app, client, auth, world
):
    with app.app_context():
        boundaries.import_boundaries(db.session, io.BytesIO(KOTA_JAMBI))
        db.session.add(
            Region(code="15.71.02", name="Jambi Selatan", level=RegionLevel.district, parent_code="15.71")
        )
        db.session.commit()
        visit_today(world.ani, "15.71.01.1001")
    auth.login("maya")
    page = client.get("/kelola/?region=15.71").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    paths = re.findall(r'<path d="([^"]+)" fill="([^"]+)"><title>([^<]+)</title>', svg)
    assert [title for _, _, title in paths] == [
        "Kota Baru: 1 dari 4 desa binaan tercakup (25%)",
        "Jambi Selatan: tidak ada desa binaan",
    ]
    assert paths[0][1] == charts.SHADES[1] and paths[1][1] == charts.NO_DESA_BINAAN
    assert svg.count("<circle") == 1 and "Sungai Putri: tercakup" in svg  # the only one with coordinates
    table = page[page.index('class="numbers map-areas"') :]
    assert "Kota Baru</th><td>4</td><td>1</td><td>25%</td>" in table
    image = client.get("/kelola/peta.svg?region=15.71").get_data(as_text=True)
    assert image.count("<path") == 2 and "Kota Baru: 1 dari 4 desa binaan tercakup (25%)" in image


@pytest.mark.usefixtures("ctx")
def test_a_district_without_parts_drawn_shows_its_own_outline_and_a_province_its_regencies(world):
    with resources.files("outreach").joinpath("data/jambi_boundaries.geojson").open("rb") as stream:
        boundaries.import_boundaries(db.session, stream)
    district = coverage.coverage(
        db.session, region_code="15.71.01", start=today(), end=today(), offices=None, zone=clock.zone()
    )
    layout = coverage.village_map(
        db.session, district, region_code="15.71.01", areas=coverage.map_areas(district)
    )
    assert [a.code for a in layout.areas] == ["15.71.01"] and layout.areas[0].figures.desa_binaan == 4
    province = coverage.coverage(
        db.session, region_code="15", start=today(), end=today(), offices=None, zone=clock.zone()
    )
    drawn = coverage.village_map(db.session, province, region_code="15", areas=coverage.map_areas(province))
    assert [a.code for a in drawn.areas] == ["15.71"]  # the only regency of the test world
    assert all(0 <= p.x <= drawn.width and 0 <= p.y <= drawn.height for p in drawn.points)
