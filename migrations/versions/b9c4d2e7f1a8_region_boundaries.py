"""region boundaries: each region's outline for the coverage map, keyed by its Kemendagri code and filled by
`flask import-boundaries` (the demo loads Jambi's)

Revision ID: b9c4d2e7f1a8
Revises: a4d8e2f6c1b3
Create Date: 2026-12-07 14:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b9c4d2e7f1a8"
down_revision = "a4d8e2f6c1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "region_boundaries",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column(
            "level",
            sa.Enum("province", "regency", "district", "village", name="region_level", native_enum=False),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade():
    op.drop_table("region_boundaries")
