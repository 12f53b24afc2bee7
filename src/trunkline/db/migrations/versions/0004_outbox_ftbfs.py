"""outbox, outbox_attempts and ftbfs: notifications after commit, FTBFS periods

``outbox`` holds every message (mail, review, AMQP event, webhook) that a state
change produces, written in the same transaction as the change and delivered
after commit; ``outbox_attempts`` is its delivery log. ``ftbfs`` records each
period a package failed to build, with its culprit, review and fix.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("topic", sa.String(length=256), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending", "delivered", "dead", name="outboxstate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_state_channel_next_attempt_at",
            ["state", "channel", "next_attempt_at"],
            unique=False,
        )
    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_outbox_attempts_outbox_id_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempts")),
    )
    with op.batch_alter_table("outbox_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_attempts_outbox_id", ["outbox_id"], unique=False)
    op.create_table(
        "ftbfs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_name", sa.String(length=256), nullable=False),
        sa.Column("component", sa.String(length=64), nullable=True),
        sa.Column("opened_at", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.Integer(), nullable=True),
        sa.Column("first_failed_commit_id", sa.Integer(), nullable=False),
        sa.Column("last_failed_commit_id", sa.Integer(), nullable=False),
        sa.Column("last_good_commit_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("culprit_commit_hash", sa.String(length=64), nullable=True),
        sa.Column("culprit_distro_hash", sa.String(length=64), nullable=True),
        sa.Column("culprit_state", sa.String(length=32), nullable=False),
        sa.Column("review_id", sa.String(length=128), nullable=True),
        sa.Column("review_url", sa.String(length=1024), nullable=True),
        sa.Column("review_state", sa.String(length=32), nullable=True),
        sa.Column("fix_commit_id", sa.Integer(), nullable=True),
        sa.Column("fixed_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["first_failed_commit_id"],
            ["commits.id"],
            name=op.f("fk_ftbfs_first_failed_commit_id_commits"),
        ),
        sa.ForeignKeyConstraint(
            ["last_failed_commit_id"],
            ["commits.id"],
            name=op.f("fk_ftbfs_last_failed_commit_id_commits"),
        ),
        sa.ForeignKeyConstraint(
            ["last_good_commit_id"],
            ["commits.id"],
            name=op.f("fk_ftbfs_last_good_commit_id_commits"),
        ),
        sa.ForeignKeyConstraint(
            ["fix_commit_id"], ["commits.id"], name=op.f("fk_ftbfs_fix_commit_id_commits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ftbfs")),
    )
    with op.batch_alter_table("ftbfs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ftbfs_project_name_closed_at", ["project_name", "closed_at"], unique=False
        )
        batch_op.create_index("ix_ftbfs_closed_at", ["closed_at"], unique=False)
        batch_op.create_index("ix_ftbfs_opened_at", ["opened_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("ftbfs")
    op.drop_table("outbox_attempts")
    op.drop_table("outbox")
