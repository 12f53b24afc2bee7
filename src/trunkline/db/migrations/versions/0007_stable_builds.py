"""stable_builds, stable_tags, stable_repos: the local build system and phase repo hashes

The ``local`` build system (``buildsys/local.py``) keeps its builds and tags as
rows, as Koji keeps builds and tag listings; ``stable_repos`` records each phase
repo content CI may vote on (its hash is the vote's ``aggregate_hash``).

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-29 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "stable_builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nvr", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=128), nullable=False),
        sa.Column("release", sa.String(length=128), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("timestamp", sa.Integer(), nullable=False),
        sa.Column("artifacts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stable_builds")),
        sa.UniqueConstraint("nvr", name=op.f("uq_stable_builds_nvr")),
    )
    op.create_table(
        "stable_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.Column("build_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["build_id"],
            ["stable_builds.id"],
            name=op.f("fk_stable_tags_build_id_stable_builds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stable_tags")),
    )
    op.create_index("ix_stable_tags_tag_build_id", "stable_tags", ["tag", "build_id"], unique=True)
    op.create_table(
        "stable_repos",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.Column("nvrs", sa.Text(), nullable=False),
        sa.Column("timestamp", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_stable_repos")),
    )
    op.create_index("ix_stable_repos_tag", "stable_repos", ["tag"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_stable_repos_tag", table_name="stable_repos")
    op.drop_table("stable_repos")
    op.drop_index("ix_stable_tags_tag_build_id", table_name="stable_tags")
    op.drop_table("stable_tags")
    op.drop_table("stable_builds")
