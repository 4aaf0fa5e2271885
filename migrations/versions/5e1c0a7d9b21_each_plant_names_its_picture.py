"""Each plant names its picture (one of guide/static/pictures.svg); none: the generic one

Revision ID: 5e1c0a7d9b21
Revises: 98aed316bcb6
Create Date: 2026-11-29 15:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1c0a7d9b21"
down_revision = "98aed316bcb6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("picture", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("plant", schema=None) as batch_op:
        batch_op.drop_column("picture")
