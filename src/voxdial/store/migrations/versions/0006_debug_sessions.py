"""debug sessions in the database: any API process can continue one

Revision ID: 0006_debug_sessions
Revises: 0005
Create Date: 2026-12-02 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Ids as the other tables have them; times as DateTime(timezone=True) (store/models.py).
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "debug_sessions",
        sa.Column("id", Id, nullable=False),
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", Id, nullable=False),
        sa.Column("assistant_id", Id, nullable=False),
        sa.Column("assistant_vid", Id, nullable=False),
        sa.Column("call_id", Id, nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("touched_at", _utc(), nullable=False),
        sa.Column("turns", sa.JSON(), nullable=False),
        sa.Column("turn_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_debug_sessions_workspace_id_workspaces"),
        ),
        sa.ForeignKeyConstraint(
            ["assistant_id"],
            ["assistants.id"],
            name=op.f("fk_debug_sessions_assistant_id_assistants"),
        ),
        sa.ForeignKeyConstraint(
            ["assistant_vid"],
            ["assistant_versions.id"],
            name=op.f("fk_debug_sessions_assistant_vid_assistant_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_debug_sessions_call_id_calls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debug_sessions")),
        sa.UniqueConstraint("session_id", name=op.f("uq_debug_sessions_session_id")),
    )
    with op.batch_alter_table("debug_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_debug_sessions_ws_touched", ["workspace_id", "touched_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_debug_sessions_touched_at"), ["touched_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("debug_sessions")
