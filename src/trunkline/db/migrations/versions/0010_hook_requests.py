"""hook_requests: packages a forge push event asks the running builder to poll and build

The API (``POST /api/hooks/<forge>``) adds one row per matched package; the
builder (``trunkline build --serve``) takes the rows and runs a cycle of those
packages. A table, not a socket: the API and the builder may be separate
processes on separate hosts that share only the database.

Revision ID: 0010
Revises: 0011 (merged after the dashboard indexes)
Create Date: 2026-11-29 20:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "hook_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forge", sa.String(length=16), nullable=False),
        sa.Column("package", sa.String(length=256), nullable=False),
        sa.Column("repo_url", sa.String(length=1024), nullable=False),
        sa.Column("ref", sa.String(length=256), nullable=False),
        sa.Column("delivery", sa.String(length=128), nullable=False),
        sa.Column("received_at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hook_requests")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("hook_requests")
