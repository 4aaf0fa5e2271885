"""Staff hardened: sessions that can be ended (session_token, disabled_at) and usernames
unique in any case and Unicode form (username_key)

Revision ID: 80c7dc83fda2
Revises: 220cf5dc713e
Create Date: 2026-11-25 11:09:22.927775

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "80c7dc83fda2"
down_revision = "220cf5dc713e"
branch_labels = None
depends_on = None


def _username_key(name: str) -> str:
    # As guide.staff.models.username_key was when this was written: migrations do not import the app.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name.strip()).casefold())


def upgrade():
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username_key", sa.String(length=255), nullable=True))
        # Empty: no session made before this migration is good after it (the loader refuses an
        # empty token); logging in again gives the account its token.
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))

    staff = sa.table("staff", sa.column("id", sa.Integer), sa.column("username", sa.String))
    connection = op.get_bind()
    seen: dict[str, str] = {}
    for staff_id, username in connection.execute(sa.select(staff.c.id, staff.c.username)).all():
        key = _username_key(username)
        if key in seen:
            raise RuntimeError(
                f"staff accounts {seen[key]!r} and {username!r} differ only in case or Unicode form, "
                "which is no longer allowed: rename one (UPDATE staff SET username = … WHERE id = …), "
                "then run the upgrade again"
            )
        seen[key] = username
        connection.execute(sa.text("UPDATE staff SET username_key = :key WHERE id = :id"), {"key": key, "id": staff_id})

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.alter_column("username_key", existing_type=sa.String(length=255), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_staff_username_key"), ["username_key"])


def downgrade():
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_username_key"), type_="unique")
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("session_token")
        batch_op.drop_column("username_key")
