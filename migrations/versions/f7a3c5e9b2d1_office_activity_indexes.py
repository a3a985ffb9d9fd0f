"""office activity indexes: a record's office leads an index of its own with the period, and the period index
carries the office, so that activity per office reads an index, never the table

A Kanim's or a Kanwil's activity reads `ix_<table>_office_period` (office, voided, occurred_at) for its few
offices; an admin's, over every office, reads the period index (voided, occurred_at, village, office) alone. The
office's own one-column index is replaced by the first, which serves every look-up by office as well.

Revision ID: f7a3c5e9b2d1
Revises: e6f2a3b4c5d7
Create Date: 2026-12-01 23:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f7a3c5e9b2d1"
down_revision = "e6f2a3b4c5d7"
branch_labels = None
depends_on = None

TABLES = ("visits", "education_sessions", "handouts", "early_warnings")


def upgrade():
    for table in TABLES:
        op.drop_index(f"ix_{table}_office_id", table_name=table)
        op.create_index(
            f"ix_{table}_office_period", table, ["office_id", "voided", "occurred_at"], unique=False
        )
        op.drop_index(f"ix_{table}_period", table_name=table)
        op.create_index(
            f"ix_{table}_period", table, ["voided", "occurred_at", "village_code", "office_id"], unique=False
        )


def downgrade():
    for table in TABLES:
        op.drop_index(f"ix_{table}_period", table_name=table)
        op.create_index(f"ix_{table}_period", table, ["voided", "occurred_at", "village_code"], unique=False)
        op.drop_index(f"ix_{table}_office_period", table_name=table)
        op.create_index(f"ix_{table}_office_id", table, ["office_id"], unique=False)
