"""uc_runs, uc_rows: the history of upper-constraints reports

Each ``trunkline uc report`` run is a ``uc_runs`` row (release, target Python,
source, time, counts per status) with one ``uc_rows`` row per module;
``lower_since`` carries over from the previous run of the same release, so the
page shows since when a module has been ``lower`` without scanning history.

Revision ID: 0006
Revises: 0007 (merged after the stable builds revision)
Create Date: 2026-11-29 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "uc_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release", sa.String(length=64), nullable=False),
        sa.Column("python", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("timestamp", sa.Integer(), nullable=False),
        sa.Column("equal", sa.Integer(), nullable=False),
        sa.Column("lower", sa.Integer(), nullable=False),
        sa.Column("greater", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uc_runs")),
    )
    with op.batch_alter_table("uc_runs", schema=None) as batch_op:
        batch_op.create_index("ix_uc_runs_release_id", ["release", "id"], unique=False)
    op.create_table(
        "uc_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=256), nullable=False),
        sa.Column("uc_version", sa.String(length=128), nullable=False),
        sa.Column("package", sa.String(length=256), nullable=False),
        sa.Column("packaged", sa.String(length=256), nullable=False),
        sa.Column("repo", sa.String(length=256), nullable=False),
        sa.Column("also", sa.String(length=1024), nullable=False),
        sa.Column("mapped_by", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lower_since", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["uc_runs.id"],
            name=op.f("fk_uc_rows_run_id_uc_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uc_rows")),
    )
    with op.batch_alter_table("uc_rows", schema=None) as batch_op:
        batch_op.create_index("ix_uc_rows_run_id_module", ["run_id", "module"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("uc_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_uc_rows_run_id_module")
    op.drop_table("uc_rows")
    with op.batch_alter_table("uc_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_uc_runs_release_id")
    op.drop_table("uc_runs")
