"""sms warnings: an office's SMS gateway number; when a warning first arrived as an SMS; how many people
a warning puts at risk

Revision ID: e3b8d0f5a2c4
Revises: d2a7c9e4f1b3
Create Date: 2026-12-07 17:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3b8d0f5a2c4"
down_revision = "d2a7c9e4f1b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offices") as batch:
        batch.add_column(sa.Column("sms_gateway", sa.String(length=20), nullable=False, server_default=""))
    with op.batch_alter_table("early_warnings") as batch:
        batch.add_column(sa.Column("sms_received_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("people_count", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("early_warnings") as batch:
        batch.drop_column("people_count")
        batch.drop_column("sms_received_at")
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("sms_gateway")
