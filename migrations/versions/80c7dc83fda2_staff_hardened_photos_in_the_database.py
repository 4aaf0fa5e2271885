"""Staff hardened: sessions that can be ended (session_token, disabled_at), usernames unique in
any case and Unicode form (username_key), forms filed once (submission), photos in the database
(photo.full, photo.thumb)

Revision ID: 80c7dc83fda2
Revises: 21df3c9ef21a
Create Date: 2026-11-25 11:09:22.927775

"""

import unicodedata
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "80c7dc83fda2"
down_revision = "21df3c9ef21a"
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

    op.create_table(
        "submission",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_submission_staff_id_staff")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_submission")),
    )

    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("full", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("thumb", sa.LargeBinary(), nullable=True))
    _photos_from_their_files(connection)


def _photos_from_their_files(connection) -> None:
    """Photos were files under instance/photos/: read them in (the folder is left as it was).
    A photo whose file is gone stays without bytes, and its address answers 404."""
    try:
        folder = Path(current_app.instance_path) / "photos"
    except RuntimeError:  # run by Alembic alone, outside the app: no instance folder to read
        return
    photo = sa.table("photo", sa.column("sha256", sa.String), sa.column("full"), sa.column("thumb"))
    for (sha256,) in connection.execute(sa.select(photo.c.sha256)).all():
        full, thumb = folder / f"{sha256}.jpg", folder / f"{sha256}-thumb.jpg"
        if full.is_file() and thumb.is_file():
            connection.execute(
                sa.update(photo)
                .where(photo.c.sha256 == sha256)
                .values(full=full.read_bytes(), thumb=thumb.read_bytes())
            )


def _photos_to_files(connection) -> None:
    """Back to files, as the version before this one keeps them."""
    try:
        folder = Path(current_app.instance_path) / "photos"
    except RuntimeError:
        return
    photo = sa.table("photo", sa.column("sha256", sa.String), sa.column("full"), sa.column("thumb"))
    rows = connection.execute(sa.select(photo.c.sha256, photo.c.full, photo.c.thumb)).all()
    for sha256, full, thumb in rows:
        if full is not None and thumb is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{sha256}.jpg").write_bytes(full)
            (folder / f"{sha256}-thumb.jpg").write_bytes(thumb)


def downgrade():
    _photos_to_files(op.get_bind())
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_column("thumb")
        batch_op.drop_column("full")
    op.drop_table("submission")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_username_key"), type_="unique")
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("session_token")
        batch_op.drop_column("username_key")
