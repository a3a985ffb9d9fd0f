"""fewer record indexes: a record's village and a version's record were indexed twice, alone and first in a
wider index that serves the same searches; every record and version stored kept both up to date

Revision ID: b5d7e9f1a3c8
Revises: f4c9a1d7e2b6
Create Date: 2026-12-08 01:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b5d7e9f1a3c8"
down_revision = "f4c9a1d7e2b6"
branch_labels = None
depends_on = None

RECORD_TABLES = ("visits", "education_sessions", "handouts", "early_warnings")


def upgrade():
    for table in RECORD_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_village_code")
    with op.batch_alter_table("record_versions") as batch:
        batch.drop_index("ix_record_versions_record_id")


def downgrade():
    with op.batch_alter_table("record_versions") as batch:
        batch.create_index("ix_record_versions_record_id", ["record_id"], unique=False)
    for table in RECORD_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.create_index(f"ix_{table}_village_code", ["village_code"], unique=False)
