"""crowd reports: how busy a place is, said by its staff

Revision ID: 3c34106f237f
Revises: 5e1c0a7d9b21
Create Date: 2026-12-03 18:44:44.466049

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c34106f237f"
down_revision = "5e1c0a7d9b21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowd_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], name=op.f("fk_crowd_report_place_id_place")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_crowd_report_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crowd_report")),
    )
    with op.batch_alter_table("crowd_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crowd_report_place_id"), ["place_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_crowd_report_reported_at"), ["reported_at"], unique=False)


def downgrade():
    with op.batch_alter_table("crowd_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crowd_report_reported_at"))
        batch_op.drop_index(batch_op.f("ix_crowd_report_place_id"))
    op.drop_table("crowd_report")
