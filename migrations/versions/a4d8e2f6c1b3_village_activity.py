"""village activity: what the visits, sessions and hand-outs of each village added up to per office and UTC
month, and the visits and sessions of each office per UTC day, so that a long period's figures and the activity
chart read a row per village and month, or per office and day, rather than every record

Both filled from the records stored before, voided ones left out, each in one INSERT … SELECT (written out here,
as a migration must not change when the program does). From then on `outreach.village_activity` keeps them right.

The period index of sessions and hand-outs carries the columns their figures add up (people, quantity), so that
the days of a period outside its whole months are read from the index alone.

Revision ID: a4d8e2f6c1b3
Revises: f7a3c5e9b2d1
Create Date: 2026-12-07 11:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4d8e2f6c1b3"
down_revision = "f7a3c5e9b2d1"
branch_labels = None
depends_on = None

FIGURES = "visits, sessions, people, people_male, people_female, people_under_18, materials"
PERIOD = ["voided", "occurred_at", "village_code", "office_id"]
FIGURE_COLUMNS = {
    "education_sessions": ["male_under_18", "female_under_18", "male_adult", "female_adult"],
    "handouts": ["quantity"],
}


def _period_index(table, columns):
    op.drop_index(f"ix_{table}_period", table_name=table)
    op.create_index(f"ix_{table}_period", table, columns, unique=False)


def upgrade():
    for table, columns in FIGURE_COLUMNS.items():
        _period_index(table, PERIOD + columns)
    op.create_table(
        "village_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=13), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES.split(", ")),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.ForeignKeyConstraint(["village_code"], ["regions.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ux_village_activity_key",
        "village_activity",
        ["village_code", "month", "office_id"],
        unique=True,
    )
    op.create_index("ix_village_activity_month", "village_activity", ["month", "office_id"], unique=False)
    op.create_index("ix_village_activity_office", "village_activity", ["office_id", "month"], unique=False)
    op.create_table(
        "office_activity",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("office_id", "day"),
    )
    op.create_index("ix_office_activity_day", "office_activity", ["day", "office_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        month, day = "date_trunc('month', occurred_at)::date", "occurred_at::date"
    else:
        month, day = "date(occurred_at, 'start of month')", "date(occurred_at)"
    people = "male_under_18 + female_under_18 + male_adult + female_adult"
    op.execute(
        f"INSERT INTO village_activity (village_code, office_id, month, {FIGURES}) "
        f"SELECT village_code, office_id, month, sum(visits), sum(sessions), sum(people), sum(people_male), "
        f"sum(people_female), sum(people_under_18), sum(materials) FROM ("
        f"SELECT village_code, office_id, {month} AS month, 1 AS visits, 0 AS sessions, 0 AS people, "
        f"0 AS people_male, 0 AS people_female, 0 AS people_under_18, 0 AS materials "
        f"FROM visits WHERE NOT voided "
        f"UNION ALL SELECT village_code, office_id, {month}, 0, 1, {people}, male_under_18 + male_adult, "
        f"female_under_18 + female_adult, male_under_18 + female_under_18, 0 "
        f"FROM education_sessions WHERE NOT voided "
        f"UNION ALL SELECT village_code, office_id, {month}, 0, 0, 0, 0, 0, 0, quantity "
        f"FROM handouts WHERE NOT voided"
        f") counted GROUP BY village_code, office_id, month"
    )
    op.execute(
        f"INSERT INTO office_activity (office_id, day, visits, sessions) "
        f"SELECT office_id, day, sum(visits), sum(sessions) FROM ("
        f"SELECT office_id, {day} AS day, 1 AS visits, 0 AS sessions FROM visits "
        f"WHERE NOT voided AND office_id IS NOT NULL "
        f"UNION ALL SELECT office_id, {day}, 0, 1 FROM education_sessions WHERE NOT voided AND office_id IS NOT NULL"
        f") counted GROUP BY office_id, day"
    )
    if op.get_bind().dialect.name == "postgresql":  # filled at once: plan the reads now, not after autovacuum
        op.execute("ANALYZE village_activity")
        op.execute("ANALYZE office_activity")


def downgrade():
    op.drop_index("ix_office_activity_day", table_name="office_activity")
    op.drop_table("office_activity")
    op.drop_index("ix_village_activity_office", table_name="village_activity")
    op.drop_index("ix_village_activity_month", table_name="village_activity")
    op.drop_index("ux_village_activity_key", table_name="village_activity")
    op.drop_table("village_activity")
    for table in FIGURE_COLUMNS:
        _period_index(table, PERIOD)
