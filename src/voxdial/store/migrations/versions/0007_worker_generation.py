"""worker generation and interrupted calls

A lease names the start of its worker (`worker_generation`), so a restarted worker
releases the numbers its earlier start held at once; `interrupted` counts a number's
calls cut by a lost worker, which use up no retry. Both additive.

Revision ID: 0007_worker_generation
Revises: 0005
Create Date: 2026-12-02 02:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task_numbers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker_generation", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("interrupted", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("task_numbers", schema=None) as batch_op:
        batch_op.drop_column("interrupted")
        batch_op.drop_column("worker_generation")
