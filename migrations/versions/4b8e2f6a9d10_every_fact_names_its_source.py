"""every fact names its source and the day it was checked: place facts by group, plants,
festivals (with a range of usual openings) and editions

Revision ID: 4b8e2f6a9d10
Revises: 7d2f4b9a1c35
Create Date: 2026-12-04 00:10:00

A place's `sources` was a list of URLs for all its facts; it becomes an object of fact group →
source, year, checked. The old lists cannot say which fact each URL stood for, so they are
emptied: the next `flask places load` fills them (the pages show no source link until then).
The `dated` years move into those sources too and the column goes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4b8e2f6a9d10"
down_revision = "7d2f4b9a1c35"
branch_labels = None
depends_on = None

place = sa.table("place", sa.column("sources", sa.JSON()))


def upgrade():
    op.execute(place.update().values(sources={}))
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_column("dated")
    with op.batch_alter_table("plant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provenance", sa.JSON(), server_default="{}", nullable=False))
    with op.batch_alter_table("festival", schema=None) as batch_op:
        batch_op.add_column(sa.Column("usual_start_latest", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("provenance", sa.JSON(), server_default="{}", nullable=False))
    with op.batch_alter_table("festival_edition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("festival_edition", schema=None) as batch_op:
        batch_op.drop_column("checked_on")
    with op.batch_alter_table("festival", schema=None) as batch_op:
        batch_op.drop_column("provenance")
        batch_op.drop_column("usual_start_latest")
    with op.batch_alter_table("plant", schema=None) as batch_op:
        batch_op.drop_column("provenance")
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dated", sa.JSON(), server_default="{}", nullable=False))
    op.execute(place.update().values(sources=[]))
