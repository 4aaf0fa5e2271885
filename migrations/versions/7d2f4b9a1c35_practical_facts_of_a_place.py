"""practical facts of a place: booking, entrance, busiest times, parking, food, toilets, access, phone

Revision ID: 7d2f4b9a1c35
Revises: 3c34106f237f
Create Date: 2026-12-03 19:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d2f4b9a1c35"
down_revision = "3c34106f237f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.add_column(sa.Column("practical", sa.JSON(), server_default="{}", nullable=False))


def downgrade():
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_column("practical")
