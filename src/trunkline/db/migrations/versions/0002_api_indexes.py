"""api indexes: covering index for build metrics

``GET /api/metrics/builds`` counts SUCCESS and FAILED builds in a date range;
with ``(dt_build, status)`` that is one index-only range scan instead of a
lookup of every build row in the range. (Not ``(status, dt_build)``: without
statistics SQLite would then drive the votes/commits joins from the status
index.)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.create_index("ix_commits_dt_build_status", ["dt_build", "status"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.drop_index("ix_commits_dt_build_status")
