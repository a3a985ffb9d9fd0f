"""record ids: one id, one record, whatever its type

Revision ID: 8c1d2e3f4a5b
Revises: 53498045a075
Create Date: 2026-12-01 17:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8c1d2e3f4a5b"
down_revision = "53498045a075"
branch_labels = None
depends_on = None

RECORD_TABLES = {
    "visits": "visit",
    "education_sessions": "session",
    "handouts": "handout",
    "early_warnings": "warning",
}


def upgrade():
    op.create_table(
        "record_ids",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("record_ids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_ids_officer_id"), ["officer_id"], unique=False)

    # Before this revision two types could hold the same id; such a database cannot be upgraded silently.
    conn = op.get_bind()
    union = " UNION ALL ".join(f"SELECT id FROM {table}" for table in RECORD_TABLES)
    doubled = [
        row[0]
        for row in conn.execute(sa.text(f"SELECT id FROM ({union}) AS ids GROUP BY id HAVING COUNT(*) > 1"))
    ]
    if doubled:
        raise RuntimeError(
            f"These record ids are held by two record types; keep one row of each and upgrade again: {doubled}"
        )
    for table, record_type in RECORD_TABLES.items():
        conn.execute(
            sa.text(
                f"INSERT INTO record_ids (id, record_type, officer_id) SELECT id, '{record_type}', officer_id FROM {table}"
            )
        )
    for table in RECORD_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(f"fk_{table}_record_ids", "record_ids", ["id"], ["id"])


def downgrade():
    for table in RECORD_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_record_ids", type_="foreignkey")
    with op.batch_alter_table("record_ids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_ids_officer_id"))
    op.drop_table("record_ids")
