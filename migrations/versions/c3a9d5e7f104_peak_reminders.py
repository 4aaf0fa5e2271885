"""peak reminders: the days a plant's reminder calendar last gave for a season's peak, and how
often they moved (the event's SEQUENCE)

Revision ID: c3a9d5e7f104
Revises: 4b8e2f6a9d10
Create Date: 2026-12-04 03:30:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3a9d5e7f104"
down_revision = "4b8e2f6a9d10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "peak_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plant_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plant_id"], ["plant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plant_id", "year"),
    )
    with op.batch_alter_table("peak_reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_peak_reminder_plant_id"), ["plant_id"], unique=False)


def downgrade():
    with op.batch_alter_table("peak_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peak_reminder_plant_id"))
    op.drop_table("peak_reminder")
