"""notices: managers' e-mail address, the urgencies that notify them and their language; the outbox of
notices of early warnings; who opened a warning first; which warnings were escalated

Revision ID: c5d8e1f3a7b2
Revises: b9c4d2e7f1a8
Create Date: 2026-12-07 14:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5d8e1f3a7b2"
down_revision = "b9c4d2e7f1a8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("notify_urgencies", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=True))
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["warning_id"], ["early_warnings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "warning_id", "channel", "reason"),
    )
    op.create_index("ix_notices_due", "notices", ["status", "next_try_at"])
    op.create_index(op.f("ix_notices_user_id"), "notices", ["user_id"])
    op.create_index(op.f("ix_notices_warning_id"), "notices", ["warning_id"])
    op.create_table(
        "warning_openings",
        sa.Column("warning_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["warning_id"], ["early_warnings.id"]),
        sa.PrimaryKeyConstraint("warning_id", "user_id"),
    )
    op.create_table(
        "warning_escalations",
        sa.Column("warning_id", sa.String(length=36), nullable=False),
        sa.Column("escalated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["warning_id"], ["early_warnings.id"]),
        sa.PrimaryKeyConstraint("warning_id"),
    )


def downgrade():
    op.drop_table("warning_escalations")
    op.drop_table("warning_openings")
    op.drop_index(op.f("ix_notices_warning_id"), table_name="notices")
    op.drop_index(op.f("ix_notices_user_id"), table_name="notices")
    op.drop_index("ix_notices_due", table_name="notices")
    op.drop_table("notices")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
        batch.drop_column("notify_urgencies")
        batch.drop_column("email")
