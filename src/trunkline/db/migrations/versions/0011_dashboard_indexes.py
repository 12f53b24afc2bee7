"""dashboard indexes: a package's and a component's builds, newest first

The dashboard's Builds page pages by keyset on ``(dt_build, id)`` newest first,
filtered by package or component. ``(project_name, dt_build)`` and
``(component, dt_build)`` give those rows already in that order (with the
primary key after them), so a page reads ``limit`` index entries instead of
sorting every build of the package or component. Dates and status use the
existing ``(dt_build)`` index.

Revision ID: 0011
Revises: 0006 (merged after the upper-constraints history)
Create Date: 2026-11-29 20:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commits_project_name_dt_build", ["project_name", "dt_build"], unique=False
        )
        batch_op.create_index(
            "ix_commits_component_dt_build", ["component", "dt_build"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.drop_index("ix_commits_component_dt_build")
        batch_op.drop_index("ix_commits_project_name_dt_build")
