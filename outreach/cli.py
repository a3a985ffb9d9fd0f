"""Commands: import regions, create offices and users, build the demo database, check the guidance's sources,
back up the database. What a command changes is in the audit log, made by the command line (`audit`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import func, select

from . import accounts, audit, backup, boundaries, demo, guidance, offices, passwords
from .extensions import db
from .models import REGION_LEVELS, Office, OfficeKind, Role, User
from .regions import ImportReport, RegionFileError, import_regions
from .vocabulary import TIME_ZONE


def _note_import(path: str, report: ImportReport, *, key: str | None) -> None:
    """Note an imported file in the audit log, by its SHA-256 (what changed per level, under `key` if given),
    and commit the import."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    counts = {
        level: {"added": report.added[level], "updated": report.updated[level]} for level in REGION_LEVELS
    }
    audit.note(
        db.session,
        action="import",
        entity=audit.REGIONS,
        entity_id=digest[:12],
        label=Path(path).name,
        after={"sha256": digest, **({key: counts} if key else counts)},
    )
    db.session.commit()


@click.command("import-regions")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_regions_command(path: str) -> None:
    """Import Kemendagri regions from a CSV file (code,name,level,parent_code,lat,lng)."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        try:
            report = import_regions(db.session, stream)
        except RegionFileError as exc:
            db.session.rollback()
            raise click.ClickException(f"{path}: {exc}. Nothing was imported.") from None
        except UnicodeDecodeError:
            db.session.rollback()
            raise click.ClickException(
                f"{path} is not UTF-8 text: save it as CSV UTF-8. Nothing was imported."
            ) from None
    _note_import(path, report, key=None)
    for line in report.lines():
        click.echo(line)


@click.command("import-boundaries")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_boundaries_command(path: str) -> None:
    """Import region outlines for the coverage map from a GeoJSON FeatureCollection (properties code, name,
    level; Polygon or MultiPolygon geometry), e.g. outreach/data/jambi_boundaries.geojson."""
    with open(path, "rb") as stream:
        try:
            report = boundaries.import_boundaries(db.session, stream)
        except boundaries.BoundaryFileError as exc:
            db.session.rollback()
            raise click.ClickException(f"{path}: {exc}. Nothing was imported.") from None
        except UnicodeDecodeError:
            db.session.rollback()
            raise click.ClickException(f"{path} is not UTF-8 text. Nothing was imported.") from None
    _note_import(path, report, key="boundaries")
    for line in report.lines() or ["no boundaries in the file"]:
        click.echo(line)


@click.command("create-office")
@click.argument("code")
@click.option("--name", required=True, help="Full name, e.g. 'Kantor Imigrasi Kelas II TPI Kuala Tungkal'.")
@click.option("--kind", type=click.Choice([k.value for k in OfficeKind]), required=True)
@click.option("--parent", help="Code of the Kanwil a Kanim belongs to.")
@click.option(
    "--regency", "regencies", multiple=True, help="Code of a regency the office covers (repeatable)."
)
@click.option(
    "--timezone",
    type=click.Choice(TIME_ZONE.values),
    help="The office's time zone: Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT); "
    "default: the configured TIMEZONE.",
)
@with_appcontext
def create_office_command(
    code: str, name: str, kind: str, parent: str | None, regencies: tuple[str, ...], timezone: str | None
) -> None:
    """Create an office (the Kanwil or a Kanim), the regencies it covers and its time zone, by the rules of the
    offices page."""
    parent_office = None
    if parent:
        parent_office = db.session.scalar(select(Office).where(Office.code == parent))
        if parent_office is None:
            raise click.ClickException(f"No office with code {parent}.")
    try:
        offices.save(
            db.session,
            Office(),
            code=code,
            name=name,
            kind=OfficeKind(kind),
            parent_id=parent_office.id if parent_office else None,
            regency_codes=list(regencies),
            timezone=timezone,
        )
    except offices.OfficeError as exc:
        with force_locale("en"):
            raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created office {code}.")


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--office", help="Office code (required for officers and managers).")
@click.option("--name", default="", help="Full name.")
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Asked for when left out."
)
@with_appcontext
def create_user_command(username: str, role: str, office: str | None, name: str, password: str) -> None:
    """Create a user account."""
    office_row = None
    if office:
        office_row = db.session.scalar(select(Office).where(Office.code == office))
        if office_row is None:
            raise click.ClickException(f"No office with code {office}.")
    try:
        user = accounts.create(
            db.session,
            None,
            username=username,
            full_name=name,
            role=Role(role),
            office=office_row,
            password=password,
        )
    except accounts.AccountError as exc:
        with force_locale("en"):  # the command line speaks English, like its other messages
            raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {role} {user.username}" + (f" at {office}." if office else "."))


@click.command("demo")
@click.option(
    "--regions",
    "regions_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Another region CSV instead of the Jambi list shipped with the app.",
)
@click.option("--password", help="Give every demo account this password (otherwise each gets a random one).")
@click.option("--reset", is_flag=True, help="Delete all existing data first.")
@with_appcontext
def demo_command(regions_path: str | None, password: str | None, reset: bool) -> None:
    """Fill the database with the regions and offices of Jambi, desa binaan, accounts and past visits."""
    refused = passwords.problem(password) if password is not None else None
    if refused is not None:
        with force_locale("en"):
            raise click.ClickException(str(refused))
    if reset:
        demo.clear(db.session)
    elif any(db.session.scalar(select(func.count()).select_from(model)) for model in (User, Office)):
        raise click.ClickException(
            "The database has data already. Run with --reset to replace it with the demo."
        )
    with (
        open(regions_path, encoding="utf-8-sig", newline="")
        if regions_path
        else demo.jambi_regions() as stream
    ):
        try:
            report, made = demo.build(db.session, regions=stream, password=password)
        except RegionFileError as exc:
            db.session.rollback()
            raise click.ClickException(f"{regions_path}: {exc}. Nothing was imported.") from None
        except UnicodeDecodeError:
            db.session.rollback()
            raise click.ClickException(
                f"{regions_path} is not UTF-8 text: save it as CSV UTF-8. Nothing was imported."
            ) from None
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    widths = [
        max(len(getattr(a, f)) for a in [*made, demo.Account("username", "role", "office", "password")])
        for f in ("username", "role", "office", "password")
    ]
    click.echo()
    for row in [demo.Account("username", "role", "office", "password"), *made]:
        click.echo(
            "  ".join(
                getattr(row, f).ljust(w)
                for f, w in zip(("username", "role", "office", "password"), widths, strict=True)
            )
        )


@click.command("load-guidance")
@with_appcontext
def load_guidance_command() -> None:
    """Add the guidance articles and contacts shipped with the app (the office's own edits are kept). New
    articles are drafts until the Kanwil or an admin reviews and publishes them on the managers' pages."""
    report = guidance.load(db.session)
    db.session.commit()
    click.echo(
        f"articles: {report.added} added as drafts, {report.updated} updated, {report.unchanged} unchanged; "
        f"contacts: {report.contacts} added"
    )
    if report.added:
        click.echo("Review and publish the new articles under /kelola/materi: villagers see them only then.")


@click.command("check-sources")
@click.argument("facts", type=click.Path(exists=True, dir_okay=False))
def check_sources_command(facts: str) -> None:
    """Check that every source the shipped guidance articles cite is named in FACTS (the program's FACTS.md)."""
    with open(facts, encoding="utf-8") as stream:
        check = guidance.check_sources(stream.read())
    for slug, source in check.missing:
        click.echo(f"{slug}: {source}")
    if check.missing:
        raise click.ClickException(f"{len(check.missing)} of {check.sources} sources are not in {facts}.")
    click.echo(f"All {check.sources} sources of the {check.articles} articles are in {facts}.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_command(file: Path, force: bool) -> None:
    """Copy the database to FILE while the app keeps running (SQLite: a database file; PostgreSQL: a pg_dump
    archive for pg_restore). A plain copy of the SQLite file is not a backup."""
    try:
        report = backup.backup(db.engine, file, overwrite=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up revision {report.revision} to {report.path} ({report.size:,} bytes).")


def init_app(app: Flask) -> None:
    for command in (
        import_regions_command,
        import_boundaries_command,
        create_office_command,
        create_user_command,
        demo_command,
        load_guidance_command,
        check_sources_command,
        backup_command,
    ):
        app.cli.add_command(command)
