"""commits.source_branch: the upstream ref the metadata named for a build

``commit_branch`` is the ref actually built (DLRN's meaning): after upstream
retires ``stable/X`` it is ``unmaintained/X`` or the ``X-eol`` tag, with
``fallback_to_master`` possibly ``master``. This column keeps the ref the
metadata asked for beside it, so reports can say "built from X-eol, wanted
stable/X" for every build, not only the newest. NULL for builds recorded
before this revision (and for imported builds that do not say).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 17:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_branch", sa.String(length=256), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.drop_column("source_branch")
