"""edit rights and imports: a contact may belong to an office; a Kanim's change to a material is a proposal;
a file of records brought in by a manager is recorded, and the record versions it stored point to it

Existing contacts belong to no office (national or province-wide: the Kanwil or an admin changes them), and
record versions stored before came from phones (no import).

Revision ID: d5e1b2c3f4a6
Revises: c3a8f0d2e6b1
Create Date: 2026-12-01 19:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d5e1b2c3f4a6"
down_revision = "c3a8f0d2e6b1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=100), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imports_imported_at"), ["imported_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_imports_imported_by_id"), ["imported_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imports_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imports_sha256"), ["sha256"], unique=False)

    op.create_table(
        "material_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_type", sa.String(length=100), nullable=False),
        sa.Column("file_data", sa.LargeBinary(), nullable=True),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(["material_id"], ["materials.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("material_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_material_proposals_material_id"), ["material_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_material_proposals_status"), ["status"], unique=False)

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_contacts_office_id"), ["office_id"], unique=False)
        batch_op.create_foreign_key("fk_contacts_office_id_offices", "offices", ["office_id"], ["id"])

    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_record_versions_import_id"), ["import_id"], unique=False)
        batch_op.create_foreign_key("fk_record_versions_import_id_imports", "imports", ["import_id"], ["id"])


def downgrade():
    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_record_versions_import_id_imports", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_record_versions_import_id"))
        batch_op.drop_column("import_id")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_contacts_office_id_offices", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_contacts_office_id"))
        batch_op.drop_column("office_id")

    with op.batch_alter_table("material_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_material_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_material_proposals_material_id"))
    op.drop_table("material_proposals")

    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imports_sha256"))
        batch_op.drop_index(batch_op.f("ix_imports_officer_id"))
        batch_op.drop_index(batch_op.f("ix_imports_imported_by_id"))
        batch_op.drop_index(batch_op.f("ix_imports_imported_at"))
    op.drop_table("imports")
