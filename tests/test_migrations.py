"""The Alembic migrations build exactly the schema the models describe, and take it down again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from outreach import create_app
from outreach.extensions import db
from outreach.models import SyncState

MODEL_TABLES = set(db.metadata.tables)


@pytest.fixture
def fresh_app(tmp_path):
    """An app on a new, empty SQLite file (not the shared test database)."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "fresh.sqlite"),
            "SECRET_KEY": "t",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def table_names():
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def schema_differences():
    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), db.metadata)


def test_upgrade_builds_every_table_of_the_models_with_the_same_columns(fresh_app):
    with fresh_app.app_context():
        upgrade()
        assert table_names() == MODEL_TABLES
        inspector = inspect(db.engine)
        for name, table in db.metadata.tables.items():
            stored = {c["name"]: c["nullable"] for c in inspector.get_columns(name)}
            assert stored == {c.name: c.nullable for c in table.columns}, name
        assert schema_differences() == []


def test_upgrade_starts_the_sync_revision_at_zero(fresh_app):
    with fresh_app.app_context():
        upgrade()
        assert [(s.id, s.revision) for s in db.session.scalars(select(SyncState))] == [(1, 0)]
        db.session.remove()


def test_downgrade_to_base_removes_every_table(fresh_app):
    with fresh_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert table_names() == set()


def test_the_db_upgrade_command_builds_the_schema(fresh_app):
    result = fresh_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        assert table_names() == MODEL_TABLES
        assert db.session.get(SyncState, 1).revision == 0
        db.session.remove()


def test_the_test_database_built_by_the_migrations_matches_the_models(ctx):
    assert table_names() == MODEL_TABLES
    assert schema_differences() == []


def add_officer_ani():
    """User 1, an officer, written as a row (the models may have moved on from the schema being upgraded)."""
    db.session.execute(
        text(
            "INSERT INTO users (id, username, full_name, password_hash, role, active, created_at) "
            "VALUES (1, 'ani', 'Ani', 'x', 'officer', 1, '2026-11-01')"
        )
    )


def test_upgrading_takes_the_gps_position_out_of_photos_stored_before(fresh_app):
    import io

    from PIL import ExifTags, Image

    from outreach.models import Photo
    from tests.test_photos import gps_exif, jpeg

    with fresh_app.app_context():
        upgrade(revision="8c1d2e3f4a5b")
        add_officer_ani()
        old = jpeg(exif=gps_exif())
        assert Image.open(io.BytesIO(old)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
        db.session.execute(
            text(
                "INSERT INTO photos (id, record_type, record_id, officer_id, kind, content_type, sha256, size, data, "
                "received_at) VALUES ('p1', 'session', 'r1', 1, 'session', 'image/jpeg', 'x', :size, :data, '2026-11-01')"
            ),
            {"size": len(old), "data": old},
        )
        db.session.commit()
        upgrade()
        photo = db.session.get(Photo, "p1")
        image = Image.open(io.BytesIO(photo.data))
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo) and photo.size == len(photo.data)
        assert image.size == Image.open(io.BytesIO(old)).size
        db.session.remove()


def test_upgrading_registers_the_ids_of_records_stored_before(fresh_app):
    from outreach.models import RecordId

    with fresh_app.app_context():
        upgrade(revision="53498045a075")
        add_officer_ani()
        db.session.execute(text("INSERT INTO regions (code, name, level) VALUES ('15', 'Jambi', 'province')"))
        for table, extra, values in [
            ("visits", "purpose, notes", "'Koordinasi', ''"),
            (
                "early_warnings",
                "category, urgency, description, people_involved, source",
                "'recruiter', 'segera', 'Calo', '', 'villager'",
            ),
        ]:
            db.session.execute(
                text(
                    f"INSERT INTO {table} (id, occurred_at, voided, version, client_updated_at, device_id, rev, received_at, "
                    f"officer_id, village_code, {extra}) VALUES ('{table[:2]}', '2026-11-01', 0, 1, '2026-11-01', '', 1, "
                    f"'2026-11-01', 1, '15', {values})"
                )
            )
        db.session.commit()
        upgrade()
        assert {(r.id, r.record_type) for r in db.session.scalars(select(RecordId))} == {
            ("vi", "visit"),
            ("ea", "warning"),
        }
        db.session.remove()


@pytest.mark.parametrize("configured", ["Asia/Jakarta", "Asia/Makassar"])
def test_upgrading_gives_the_offices_that_exist_the_configured_time_zone(fresh_app, configured):
    fresh_app.config["BABEL_DEFAULT_TIMEZONE"] = configured
    with fresh_app.app_context():
        upgrade(revision="e3b8d0f5a2c4")
        db.session.execute(
            text(
                "INSERT INTO offices (code, name, kind, address, phone, whatsapp, hours) VALUES ('kanim-x', 'Kanim X', 'kanwil', '', '', '', '')"
            )
        )
        db.session.commit()
        upgrade()
        assert db.session.scalar(text("SELECT timezone FROM offices")) == configured
        downgrade(revision="e3b8d0f5a2c4")
        assert "timezone" not in {c["name"] for c in inspect(db.engine).get_columns("offices")}
