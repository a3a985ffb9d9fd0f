"""record office: every field record belongs to the office that had its village as desa binaan when it was made

Records stored before get their office by the rule of `outreach.scope.office_on` (written out again here, as a
migration must not change when the program does): the designation that held on the record's local day (the
newer one on a handover day), else the designation open now, else none (only admins see the record).

Revision ID: e6f2a3b4c5d7
Revises: d5e1b2c3f4a6
Create Date: 2026-12-01 20:30:00.000000

"""

from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "e6f2a3b4c5d7"
down_revision = "d5e1b2c3f4a6"
branch_labels = None
depends_on = None

TABLES = ("visits", "education_sessions", "handouts", "early_warnings")
CHUNK = 500


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        # In place on both databases: a batch copy of a table others reference trips SQLite's foreign keys, and
        # SQLite takes a column's reference only within ADD COLUMN itself.
        if sqlite:
            op.execute(f"ALTER TABLE {table} ADD COLUMN office_id INTEGER REFERENCES offices (id)")
        else:
            op.add_column(
                table, sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=True)
            )
        op.create_index(f"ix_{table}_office_id", table, ["office_id"], unique=False)
    _backfill()


def _backfill():
    conn = op.get_bind()
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    designations = defaultdict(list)
    for office_id, village_code, designated_on, ended_on in conn.execute(
        sa.text("SELECT office_id, village_code, designated_on, ended_on FROM desa_binaan")
    ):
        designations[village_code].append((office_id, _day(designated_on), _day(ended_on)))
    for table in TABLES:
        by_office = defaultdict(list)
        rows = conn.execute(sa.text(f"SELECT id, village_code, occurred_at FROM {table}")).all()
        for record_id, village_code, occurred_at in rows:
            moment = (
                occurred_at if isinstance(occurred_at, datetime) else datetime.fromisoformat(str(occurred_at))
            )
            day = moment.replace(tzinfo=UTC).astimezone(zone).date()
            office_id = _office_on(designations.get(village_code, []), day)
            if office_id is not None:
                by_office[office_id].append(record_id)
        update = sa.text(f"UPDATE {table} SET office_id = :office WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)
        )
        for office_id, ids in by_office.items():
            for i in range(0, len(ids), CHUNK):
                conn.execute(update, {"office": office_id, "ids": ids[i : i + CHUNK]})


def _day(value):
    if value is None or not isinstance(value, str):
        return value
    return datetime.fromisoformat(value).date()


def _office_on(designations, day):
    during = [d for d in designations if d[1] <= day and (d[2] is None or day <= d[2])]
    if during:
        return max(during, key=lambda d: d[1])[0]
    still_open = [d for d in designations if d[2] is None]
    return max(still_open, key=lambda d: d[1])[0] if still_open else None


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_office_id")
            batch_op.drop_column("office_id")
