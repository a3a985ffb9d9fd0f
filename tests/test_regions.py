"""Importing the Kemendagri region list: whole-file checks, line numbers in errors, idempotent re-imports."""

import io

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Region, RegionLevel
from outreach.regions import RegionFileError, import_regions
from tests.conftest import JAMBI_REGIONS

HEADER = "code,name,level,parent_code,lat,lng\n"
GOOD = (
    HEADER
    + "15,Jambi,province,,-1.698801,102.715891\n"
    + "15.71,Kota Jambi,regency,15,-1.61,103.61\n"
    + "15.71.01,Kota Baru,district,15.71,,\n"
)
GOOD_VILLAGES = (
    "15.71.01.1001,Sungai Putri,village,15.71.01,-1.61,103.6\n15.71.01.1002,Legok,village,15.71.01,,\n"
)


def write(tmp_path, text, name="regions.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def region_count():
    return db.session.scalar(select(func.count()).select_from(Region))


def all_rows():
    return [
        (r.code, r.name, r.level, r.parent_code, r.lat, r.lng)
        for r in db.session.scalars(select(Region).order_by(Region.code))
    ]


def test_the_full_jambi_file_imports_and_reports_what_was_added_per_level(runner, ctx):
    result = runner.invoke(args=["import-regions", JAMBI_REGIONS])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "province: 1 added, 0 updated, 0 unchanged",
        "regency: 11 added, 0 updated, 0 unchanged",
        "district: 144 added, 0 updated, 0 unchanged",
        "village: 1585 added, 0 updated, 0 unchanged",
    ]
    assert region_count() == 1741
    per_level = dict(db.session.execute(select(Region.level, func.count()).group_by(Region.level)).all())
    assert per_level == {
        RegionLevel.province: 1,
        RegionLevel.regency: 11,
        RegionLevel.district: 144,
        RegionLevel.village: 1585,
    }


def test_imported_regions_keep_their_coordinates_and_villages_without_them_stay_empty(runner, ctx):
    assert runner.invoke(args=["import-regions", JAMBI_REGIONS]).exit_code == 0
    jambi = db.session.get(Region, "15")
    assert (jambi.name, jambi.lat, jambi.lng) == ("Jambi", -1.698801, 102.715891)
    village = db.session.get(Region, "15.01.01.1004")
    assert (village.name, village.parent_code, village.lat, village.lng) == (
        "Lempur Tengah",
        "15.01.01",
        -2.255217,
        101.538529,
    )
    without = db.session.scalars(select(Region).where(Region.lat.is_(None))).all()
    assert len(without) == 17
    assert all(r.level == RegionLevel.village and r.lng is None for r in without)
    assert [r.code for r in village.path()] == ["15", "15.01", "15.01.01", "15.01.01.1004"]


def test_importing_the_same_file_again_changes_nothing(runner, ctx):
    assert runner.invoke(args=["import-regions", JAMBI_REGIONS]).exit_code == 0
    before = all_rows()
    result = runner.invoke(args=["import-regions", JAMBI_REGIONS])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "province: 0 added, 0 updated, 1 unchanged",
        "regency: 0 added, 0 updated, 11 unchanged",
        "district: 0 added, 0 updated, 144 unchanged",
        "village: 0 added, 0 updated, 1585 unchanged",
    ]
    db.session.expire_all()
    assert all_rows() == before


def test_a_renamed_region_in_a_later_file_is_reported_as_updated_and_stored(runner, ctx, tmp_path):
    first = write(tmp_path, GOOD + GOOD_VILLAGES, "first.csv")
    assert runner.invoke(args=["import-regions", first]).exit_code == 0
    second = write(tmp_path, (GOOD + GOOD_VILLAGES).replace("Legok", "Legok Baru"), "second.csv")
    result = runner.invoke(args=["import-regions", second])
    assert result.exit_code == 0, result.output
    assert "village: 0 added, 1 updated, 1 unchanged" in result.output
    assert "district: 0 added, 0 updated, 1 unchanged" in result.output
    db.session.expire_all()
    assert db.session.get(Region, "15.71.01.1002").name == "Legok Baru"
    assert region_count() == 5


def test_import_regions_counts_added_updated_and_unchanged_rows(ctx):
    report = import_regions(db.session, io.StringIO(GOOD))
    db.session.commit()
    assert (report.added["province"], report.added["regency"], report.added["district"]) == (1, 1, 1)
    moved = GOOD.replace(
        "15.71.01,Kota Baru,district,15.71,,", "15.71.01,Kota Baru,district,15.71,-1.62,103.62"
    )
    report = import_regions(db.session, io.StringIO(moved + GOOD_VILLAGES))
    db.session.commit()
    assert report.updated["district"] == 1
    assert report.unchanged["province"] == 1 and report.unchanged["regency"] == 1
    assert report.added["village"] == 2
    district = db.session.get(Region, "15.71.01")
    assert (district.lat, district.lng) == (-1.62, 103.62)


BAD_FILES = {
    "unknown level": (GOOD + "15.71.01.1001,Sungai Putri,desa,15.71.01,,\n", 5, "unknown level 'desa'"),
    "malformed code": (GOOD + "15.71.01.101,Sungai Putri,village,15.71.01,,\n", 5, "does not have the form"),
    "code of another level": (
        HEADER + "15,Jambi,province,,,\n" + "15.71.01,Kota Jambi,regency,15,,\n",
        3,
        "does not have the form of a regency code",
    ),
    "parent missing": (
        HEADER + "15,Jambi,province,,,\n" + "15.71.01,Kota Baru,district,15.71,,\n",
        3,
        "parent 15.71 is not a regency",
    ),
    "parent not the code prefix": (
        GOOD + "15.71.01.1001,Sungai Putri,village,15.71.02,,\n",
        5,
        "does not match code 15.71.01.1001",
    ),
    "duplicate code": (
        GOOD + GOOD_VILLAGES + "15.71.01.1001,Sungai Putri Lagi,village,15.71.01,,\n",
        7,
        "appears twice",
    ),
    "lat out of range": (GOOD + "15.71.01.1001,Sungai Putri,village,15.71.01,-91,103.6\n", 5, "out of range"),
    "lng out of range": (GOOD + "15.71.01.1001,Sungai Putri,village,15.71.01,-1.6,181\n", 5, "out of range"),
    "lat not a number": (
        GOOD + "15.71.01.1001,Sungai Putri,village,15.71.01,-1;6,103.6\n",
        5,
        "not a number",
    ),
    "empty name": (GOOD + "15.71.01.1001,,village,15.71.01,,\n", 5, "the name is empty"),
    "province with a parent": (HEADER + "15,Jambi,province,14,,\n", 2, "a province has no parent"),
    "wrong header": ("kode,nama,tingkat,induk,lat,lng\n15,Jambi,province,,,\n", 1, "the header must be"),
    "empty file": ("", 1, "the header must be"),
    "too few columns": (
        GOOD + "15.71.01.1001,Sungai Putri,village,15.71.01\n",
        5,
        "expected 6 columns, found 4",
    ),
    "too many columns": (GOOD + "15.71.01.1001,Sungai Putri,village,15.71.01,,,x\n", 5, "found 7"),
    "after a blank line": (GOOD + "\n" + "15.71.01.1001,Sungai Putri,dusun,15.71.01,,\n", 6, "unknown level"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_row_stops_the_import_with_its_line_number_and_imports_nothing(runner, ctx, tmp_path, case):
    text, line, message = BAD_FILES[case]
    path = write(tmp_path, text)
    result = runner.invoke(args=["import-regions", path])
    assert result.exit_code != 0
    assert f"line {line}: " in result.output
    assert message in result.output
    assert "Nothing was imported" in result.output
    assert region_count() == 0


@pytest.mark.parametrize("case", ["parent missing", "duplicate code", "wrong header"])
def test_import_regions_raises_with_the_line_of_the_bad_row(ctx, case):
    text, line, _ = BAD_FILES[case]
    with pytest.raises(RegionFileError) as raised:
        import_regions(db.session, io.StringIO(text))
    assert raised.value.line == line
    assert str(raised.value).startswith(f"line {line}: ")


def test_a_bad_row_leaves_the_regions_already_stored_untouched(runner, ctx, tmp_path):
    assert runner.invoke(args=["import-regions", write(tmp_path, GOOD, "first.csv")]).exit_code == 0
    renamed = (
        GOOD.replace("Kota Baru", "Kota Baru Lama")
        + GOOD_VILLAGES
        + "15.71.01.1003,Legok,village,15.71.01,95,\n"
    )
    result = runner.invoke(args=["import-regions", write(tmp_path, renamed, "second.csv")])
    assert result.exit_code != 0 and "line 7: " in result.output
    db.session.expire_all()
    assert region_count() == 3
    assert db.session.get(Region, "15.71.01").name == "Kota Baru"


def test_villages_of_a_district_imported_earlier_are_accepted(runner, ctx, tmp_path):
    assert runner.invoke(args=["import-regions", write(tmp_path, GOOD, "districts.csv")]).exit_code == 0
    result = runner.invoke(args=["import-regions", write(tmp_path, HEADER + GOOD_VILLAGES, "villages.csv")])
    assert result.exit_code == 0, result.output
    assert "village: 2 added, 0 updated, 0 unchanged" in result.output
    assert "district: 0 added, 0 updated, 0 unchanged" in result.output
    assert db.session.get(Region, "15.71.01.1001").parent.name == "Kota Baru"
    assert region_count() == 5


def test_villages_naming_a_stored_region_of_the_wrong_level_as_parent_are_refused(runner, ctx, tmp_path):
    assert runner.invoke(args=["import-regions", write(tmp_path, GOOD, "districts.csv")]).exit_code == 0
    result = runner.invoke(
        args=[
            "import-regions",
            write(tmp_path, HEADER + "15.71.02.1001,Sijenjang,village,15.71.02,,\n", "v.csv"),
        ]
    )
    assert result.exit_code != 0 and "line 2: parent 15.71.02 is not a district" in result.output
    assert region_count() == 3


def test_a_file_saved_by_excel_with_a_bom_and_crlf_line_ends_imports(runner, ctx, tmp_path):
    path = write(tmp_path, (GOOD + GOOD_VILLAGES).replace("\n", "\r\n"), encoding="utf-8-sig")
    result = runner.invoke(args=["import-regions", path])
    assert result.exit_code == 0, result.output
    assert region_count() == 5
    assert db.session.get(Region, "15.71.01.1002").name == "Legok"


def test_line_numbers_count_every_line_of_a_quoted_name_that_spans_lines(runner, ctx, tmp_path):
    text = (
        GOOD
        + '15.71.01.1001,"Sungai\nPutri",village,15.71.01,,\n'
        + "15.71.01.1002,Legok,village,15.71.02,,\n"
    )
    result = runner.invoke(args=["import-regions", write(tmp_path, text)])
    assert result.exit_code != 0
    assert "line 7: parent '15.71.02' does not match" in result.output
    assert region_count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_a_message_and_imports_nothing(runner, ctx, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((GOOD + "15.71.01.1001,Sungai Putrì,village,15.71.01,,\n").encode("cp1252"))
    result = runner.invoke(args=["import-regions", str(path)])
    assert result.exit_code == 1 and not isinstance(result.exception, UnicodeDecodeError)
    assert "is not UTF-8 text" in result.output and "Nothing was imported" in result.output
    assert region_count() == 0
