"""calls: partial index of a task's ended calls by outcome and intent level

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calls_task_ended",
            ["task_id", "hangup_reason", "intent_level"],
            unique=False,
            sqlite_where=sa.text("end_at IS NOT NULL"),
            postgresql_where=sa.text("end_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_task_ended")
