"""The commands an administrator runs: create-office, create-user and demo."""

from collections import Counter

from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import (
    Assignment,
    DesaBinaan,
    Office,
    OfficeKind,
    Region,
    RegionBoundary,
    RegionLevel,
    RiskLevel,
    Role,
    SyncState,
    User,
    Visit,
    utcnow,
)
from tests.conftest import JAMBI_REGIONS

KANIM_CODES = {"kanim-jambi", "kanim-kuala-tungkal", "kanim-kerinci", "kanim-bungo"}


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def office_by_code(code):
    return db.session.scalar(select(Office).where(Office.code == code))


def user_by_name(username):
    return db.session.scalar(select(User).where(User.username == username))


def add_regions():
    db.session.add_all(
        [
            Region(code="15", name="Jambi", level=RegionLevel.province),
            Region(code="15.71", name="Kota Jambi", level=RegionLevel.regency, parent_code="15"),
            Region(code="15.05", name="Kabupaten Muaro Jambi", level=RegionLevel.regency, parent_code="15"),
            Region(code="15.71.01", name="Kota Baru", level=RegionLevel.district, parent_code="15.71"),
        ]
    )
    db.session.commit()


def add_kanim():
    kanwil = Office(code="kanwil-jambi", name="Kanwil Jambi", kind=OfficeKind.kanwil)
    db.session.add_all(
        [kanwil, Office(code="kanim-jambi", name="Kanim Jambi", kind=OfficeKind.kanim, parent=kanwil)]
    )
    db.session.commit()


# create-user


def test_create_user_makes_an_officer_at_an_office_who_can_log_in(runner, ctx):
    add_kanim()
    result = runner.invoke(
        args=[
            "create-user",
            "Rina",
            "--role",
            "officer",
            "--office",
            "kanim-jambi",
            "--name",
            "Rina Marlina",
            "--password",
            "kabut-pagi-sungai",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created officer rina at kanim-jambi." in result.output
    user = user_by_name("rina")
    assert user is not None and user.active
    assert (user.role, user.office.code, user.full_name) == (Role.officer, "kanim-jambi", "Rina Marlina")
    assert user.check_password("kabut-pagi-sungai")
    assert not user.check_password("kabut-pagi-sungaI")
    assert user_by_name("Rina") is None


def test_create_user_asks_for_the_password_twice_when_it_is_left_out(runner, ctx):
    add_kanim()
    result = runner.invoke(
        args=["create-user", "agus", "--role", "manager", "--office", "kanim-jambi"],
        input="kopi-hujan-sepeda\nkopi-hujan-sepeda\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "kopi-hujan-sepeda" not in result.output
    assert user_by_name("agus").check_password("kopi-hujan-sepeda")


def test_create_user_refuses_when_the_two_typed_passwords_differ(runner, ctx):
    add_kanim()
    result = runner.invoke(
        args=["create-user", "agus", "--role", "manager", "--office", "kanim-jambi"],
        input="pw12345678\npw87654321\n",
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert count(User) == 0


def test_an_admin_needs_no_office(runner, ctx):
    result = runner.invoke(args=["create-user", "root", "--role", "admin", "--password", "tepian-batanghari"])
    assert result.exit_code == 0, result.output
    admin = user_by_name("root")
    assert admin.role == Role.admin and admin.office is None
    assert admin.check_password("tepian-batanghari")


def test_create_user_refuses_an_unknown_office(runner, ctx):
    add_kanim()
    result = runner.invoke(
        args=["create-user", "rina", "--role", "officer", "--office", "kanim-x", "--password", "x" * 10]
    )
    assert result.exit_code != 0
    assert "No office with code kanim-x." in result.output
    assert count(User) == 0


def test_create_user_refuses_a_username_that_is_taken_whatever_its_case(runner, ctx):
    add_kanim()
    args = ["--role", "officer", "--office", "kanim-jambi", "--password"]
    assert runner.invoke(args=["create-user", "rina", *args, "first-password"]).exit_code == 0
    result = runner.invoke(args=["create-user", "RINA", *args, "second-password"])
    assert result.exit_code != 0
    assert "This username is taken." in result.output
    assert count(User) == 1
    assert user_by_name("rina").check_password("first-password")


def test_create_user_refuses_a_password_shorter_than_ten_characters(runner, ctx):
    add_kanim()
    result = runner.invoke(
        args=[
            "create-user",
            "rina",
            "--role",
            "officer",
            "--office",
            "kanim-jambi",
            "--password",
            "123456789",
        ]
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert count(User) == 0


def test_create_user_refuses_an_officer_or_manager_without_an_office(runner, ctx):
    for role in ("officer", "manager"):
        result = runner.invoke(
            args=["create-user", "rina", "--role", role, "--password", "kabut-pagi-sungai"]
        )
        assert result.exit_code != 0
        assert "belong to an office" in result.output
    assert count(User) == 0


# create-office


def test_create_office_makes_a_kanim_under_the_kanwil_covering_its_regencies(runner, ctx):
    add_regions()
    result = runner.invoke(
        args=["create-office", "kanwil-jambi", "--name", "Kanwil Jambi", "--kind", "kanwil"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "create-office",
            "kanim-jambi",
            "--name",
            "Kantor Imigrasi Kelas I TPI Jambi",
            "--kind",
            "kanim",
            "--parent",
            "kanwil-jambi",
            "--regency",
            "15.71",
            "--regency",
            "15.05",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created office kanim-jambi." in result.output
    kanim = office_by_code("kanim-jambi")
    assert kanim.name == "Kantor Imigrasi Kelas I TPI Jambi" and kanim.kind == OfficeKind.kanim
    assert kanim.parent.code == "kanwil-jambi"
    assert [r.code for r in kanim.regencies] == ["15.05", "15.71"]
    assert [o.code for o in office_by_code("kanwil-jambi").children] == ["kanim-jambi"]


def test_create_office_works_with_regions_from_the_import_command(runner, ctx):
    assert runner.invoke(args=["import-regions", JAMBI_REGIONS]).exit_code == 0
    assert (
        runner.invoke(
            args=["create-office", "kanwil-jambi", "--name", "Kanwil Jambi", "--kind", "kanwil"]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        args=[
            "create-office",
            "kanim-kerinci",
            "--name",
            "Kanim Kerinci",
            "--kind",
            "kanim",
            "--parent",
            "kanwil-jambi",
            "--regency",
            "15.01",
            "--regency",
            "15.72",
        ]
    )
    assert result.exit_code == 0, result.output
    assert [r.name for r in office_by_code("kanim-kerinci").regencies] == [
        "Kabupaten Kerinci",
        "Kota Sungai Penuh",
    ]


def test_create_office_refuses_regency_codes_that_are_not_in_the_database(runner, ctx):
    add_regions()
    result = runner.invoke(
        args=[
            "create-office",
            "kanwil-jambi",
            "--name",
            "Kanwil Jambi",
            "--kind",
            "kanwil",
            "--regency",
            "15.71",
            "--regency",
            "15.99",
            "--regency",
            "15.71.01",
        ]
    )
    assert result.exit_code != 0
    assert "Not regencies: 15.71.01, 15.99." in result.output
    assert count(Office) == 0


def test_create_office_refuses_an_unknown_parent(runner, ctx):
    add_regions()
    result = runner.invoke(
        args=["create-office", "kanim-jambi", "--name", "Kanim", "--kind", "kanim", "--parent", "kw"]
    )
    assert result.exit_code != 0
    assert "No office with code kw." in result.output
    assert count(Office) == 0


def test_create_office_refuses_a_code_that_exists_already(runner, ctx):
    add_regions()
    args = ["create-office", "kanwil-jambi", "--kind", "kanwil", "--name"]
    assert runner.invoke(args=[*args, "Kanwil Jambi"]).exit_code == 0
    result = runner.invoke(args=[*args, "Another Kanwil"])
    assert result.exit_code != 0
    assert "Another office has the code kanwil-jambi." in result.output
    assert count(Office) == 1
    assert office_by_code("kanwil-jambi").name == "Kanwil Jambi"


def test_create_office_keeps_the_rules_of_the_offices_page(runner, ctx):
    add_regions()
    assert (
        runner.invoke(
            args=["create-office", "kanwil-jambi", "--name", "Kanwil Jambi", "--kind", "kanwil"]
        ).exit_code
        == 0
    )
    orphan = runner.invoke(args=["create-office", "kanim-x", "--name", "Kanim X", "--kind", "kanim"])
    assert orphan.exit_code != 0 and "A Kanim belongs to a Kanwil" in orphan.output
    kanim = ["create-office", "--kind", "kanim", "--parent", "kanwil-jambi", "--regency", "15.71", "--name"]
    assert runner.invoke(args=[kanim[0], "kanim-jambi", *kanim[1:], "Kanim Jambi"]).exit_code == 0
    twice = runner.invoke(args=[kanim[0], "kanim-lain", *kanim[1:], "Kanim Lain"])
    assert twice.exit_code != 0 and "Kota Jambi is covered by Kanim Jambi already." in twice.output
    assert count(Office) == 2


# demo


def accounts_table(output):
    """The rows of the accounts table the demo prints, as dicts keyed by its header."""
    lines = output.splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.split() == ["username", "role", "office", "password"]
    )
    return [
        dict(zip(["username", "role", "office", "password"], line.split(), strict=False))
        for line in lines[start + 1 :]
        if line
    ]


def test_demo_builds_the_offices_of_jambi_and_prints_the_accounts(runner, ctx):
    result = runner.invoke(args=["demo", "--password", "hujan-sawit-kopi"])
    assert result.exit_code == 0, result.output
    rows = accounts_table(result.output)
    db.session.expire_all()
    users = db.session.scalars(select(User)).all()
    assert sorted((r["username"], r["role"], r["office"]) for r in rows) == sorted(
        (u.username, u.role.value, u.office.code if u.office else "-") for u in users
    )
    assert {o.timezone for o in db.session.scalars(select(Office))} == {"Asia/Jakarta"}  # Jambi is WIB
    assert {r["password"] for r in rows} == {"hujan-sawit-kopi"}
    assert count(RegionBoundary) == 156  # the map's outlines: Jambi, its regencies and districts

    kanwil = office_by_code("kanwil-jambi")
    assert kanwil.kind == OfficeKind.kanwil and kanwil.parent is None
    assert {o.code for o in kanwil.children} == KANIM_CODES
    kanims = [office_by_code(code) for code in KANIM_CODES]
    assert all(k.kind == OfficeKind.kanim and k.regencies for k in kanims)
    covered = [r.code for k in kanims for r in k.regencies]
    assert len(covered) == len(set(covered)) == 11
    assert "15.71" in [r.code for r in office_by_code("kanim-jambi").regencies]

    by_role = Counter(u.role for u in users)
    assert by_role[Role.admin] == 1 and [u.office for u in users if u.role == Role.admin] == [None]
    managers = Counter(u.office.code for u in users if u.role == Role.manager)
    assert managers == Counter(KANIM_CODES | {"kanwil-jambi"})
    officers = [u for u in users if u.role == Role.officer]
    assert officers and {o.office.code for o in officers} == KANIM_CODES

    for officer in officers:
        assert officer.assignments, officer.username
        regencies = {r.code for r in officer.office.regencies}
        for assignment in officer.assignments:
            desa = assignment.desa_binaan
            assert desa.office is officer.office
            assert desa.village.level == RegionLevel.village
            assert desa.village.parent.parent.code in regencies

    desa_binaan = db.session.scalars(select(DesaBinaan)).all()
    assert desa_binaan and all(isinstance(d.risk_level, RiskLevel) and d.active for d in desa_binaan)
    assert len({d.risk_level for d in desa_binaan}) > 1

    visits = db.session.scalars(select(Visit)).all()
    assert visits
    for visit in visits:
        assigned = {a.desa_binaan.village_code for a in visit.officer.assignments}
        assert visit.village_code in assigned
        assert visit.occurred_at < utcnow() and visit.occurred_at <= visit.received_at
    revisions = [v.rev for v in visits]
    assert len(set(revisions)) == len(revisions)
    assert db.session.get(SyncState, 1).revision >= max(revisions)

    assert all(u.check_password("hujan-sawit-kopi") for u in users)


def test_demo_without_a_password_gives_each_account_its_own_random_password_and_runs_only_once(runner, ctx):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    rows = accounts_table(result.output)
    passwords = [r["password"] for r in rows]
    assert len(rows) == count(User) and len(set(passwords)) == len(passwords)
    assert all(len(p) >= 8 for p in passwords)
    by_role = {r["role"]: r for r in rows}
    for row in by_role.values():  # one account of each role: checking a hash takes a while
        assert user_by_name(row["username"]).check_password(row["password"])
    assert not user_by_name(by_role["admin"]["username"]).check_password(by_role["officer"]["password"])

    hashes = dict(db.session.execute(select(User.username, User.password_hash)).all())
    counts = [count(model) for model in (Region, Office, DesaBinaan, Assignment, Visit)]
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    assert "Run with --reset" in again.output
    assert "username" not in again.output
    db.session.expire_all()
    assert dict(db.session.execute(select(User.username, User.password_hash)).all()) == hashes
    assert [count(model) for model in (Region, Office, DesaBinaan, Assignment, Visit)] == counts


def test_demo_refuses_a_database_with_data_and_leaves_it_alone(runner, ctx, world):
    result = runner.invoke(args=["demo", "--password", "hujan-sawit-kopi"])
    assert result.exit_code != 0
    assert "The database has data already" in result.output
    assert user_by_name("ani") is not None and user_by_name("admin") is None
    assert office_by_code("kanim-kerinci") is None


def test_demo_refuses_a_database_with_offices_but_no_accounts_yet(runner, ctx):
    add_regions()
    add_kanim()
    result = runner.invoke(args=["demo", "--password", "hujan-sawit-kopi"])
    assert result.exit_code == 1
    assert "The database has data already" in result.output
    db.session.expire_all()
    assert count(User) == 0 and count(Office) == 2 and count(Region) == 4


def test_demo_refuses_a_short_password(runner, ctx):
    result = runner.invoke(args=["demo", "--password", "demo-123"])
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert count(User) == 0 and count(Region) == 0


def test_demo_with_reset_replaces_the_existing_data(runner, ctx, world):
    result = runner.invoke(args=["demo", "--reset", "--password", "hujan-sawit-kopi"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert user_by_name("ani") is None and user_by_name("root") is None
    assert user_by_name("admin").check_password("hujan-sawit-kopi")
    assert {u.username for u in db.session.scalars(select(User))} == {
        r["username"] for r in accounts_table(result.output)
    }
    assert {o.code for o in db.session.scalars(select(Office))} == KANIM_CODES | {"kanwil-jambi"}
    assert db.session.get(Region, "15.71.01.1001").name == "Simpang IV Sipin"  # world called it Sungai Putri
    assert db.session.get(Region, "15.71.01.1005") is None  # world's Murni is not in the Jambi list
    assert count(Visit) > 0


def test_demo_with_reset_and_a_bad_region_file_keeps_the_existing_data(runner, ctx, world, tmp_path):
    bad = tmp_path / "regions.csv"
    bad.write_text("code,name,level,parent_code,lat,lng\n15,Jambi,province,,,\n15.71,Kota Jambi,kota,15,,\n")
    result = runner.invoke(args=["demo", "--reset", "--regions", str(bad), "--password", "hujan-sawit-kopi"])
    assert result.exit_code != 0
    assert "line 3: unknown level 'kota'" in result.output
    db.session.expire_all()
    assert user_by_name("ani") is not None and user_by_name("admin") is None
    assert count(Region) == 8 and count(DesaBinaan) == 4 and count(Assignment) == 3


def test_demo_with_reset_and_a_region_file_that_is_not_utf8_keeps_the_existing_data(
    runner, ctx, world, tmp_path
):
    bad = tmp_path / "regions.csv"
    bad.write_bytes("code,name,level,parent_code,lat,lng\n15,Jámbi,province,,,\n".encode("cp1252"))
    result = runner.invoke(args=["demo", "--reset", "--regions", str(bad), "--password", "hujan-sawit-kopi"])
    assert result.exit_code == 1 and "is not UTF-8 text" in result.output
    db.session.expire_all()
    assert user_by_name("ani") is not None and count(Region) == 8 and count(Visit) == 0


def test_demo_loads_the_full_jambi_region_list_shipped_with_the_app(runner, ctx):
    result = runner.invoke(args=["demo", "--password", "hujan-sawit-kopi"])
    assert result.exit_code == 0, result.output
    assert "village: 1585 added, 0 updated, 0 unchanged" in result.output
    assert count(Region) == 1741
    covered = {r.code for code in KANIM_CODES for r in office_by_code(code).regencies}
    assert len(covered) == 11
    villages = {d.village_code for d in db.session.scalars(select(DesaBinaan))}
    assert len(villages) == 3 * 11


def test_demo_with_another_region_file_loads_that_file_instead(runner, ctx, tmp_path):
    regions = tmp_path / "regions.csv"
    regions.write_text(
        "code,name,level,parent_code,lat,lng\n15,Jambi,province,,,\n15.71,Kota Jambi,regency,15,,\n"
        "15.71.01,Kota Baru,district,15.71,,\n15.71.01.1001,Sungai Putri,village,15.71.01,,\n"
    )
    result = runner.invoke(args=["demo", "--regions", str(regions), "--password", "hujan-sawit-kopi"])
    assert result.exit_code == 0, result.output
    assert count(Region) == 4 and db.session.get(Region, "15.71.01.1001").name == "Sungai Putri"
    assert [d.village_code for d in db.session.scalars(select(DesaBinaan))] == ["15.71.01.1001"]
