"""office timezone: each office's time zone (WIB, WITA or WIT), existing offices in the configured TIMEZONE

Revision ID: f4c9a1d7e2b6
Revises: e3b8d0f5a2c4
Create Date: 2026-12-07 18:20:00.000000

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "f4c9a1d7e2b6"
down_revision = "e3b8d0f5a2c4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offices") as batch:
        batch.add_column(
            sa.Column("timezone", sa.String(length=40), nullable=False, server_default="Asia/Jakarta")
        )
    # Offices that exist keep the zone the installation has counted their days in so far.
    configured = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Jakarta"
    if configured != "Asia/Jakarta":
        offices = sa.table("offices", sa.column("timezone", sa.String))
        op.execute(offices.update().values(timezone=configured))


def downgrade():
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("timezone")
