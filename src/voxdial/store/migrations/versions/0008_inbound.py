"""inbound numbers: which of our numbers answers calls, with which assistant

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02 03:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_numbers",
        sa.Column("id", Id, nullable=False),
        sa.Column("workspace_id", Id, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("assistant_id", Id, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_inbound_numbers_workspace_id_workspaces"),
        ),
        sa.ForeignKeyConstraint(
            ["assistant_id"],
            ["assistants.id"],
            name=op.f("fk_inbound_numbers_assistant_id_assistants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_numbers")),
        sa.UniqueConstraint("number", name=op.f("uq_inbound_numbers_number")),
    )
    op.create_index(op.f("ix_inbound_numbers_workspace_id"), "inbound_numbers", ["workspace_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inbound_numbers_workspace_id"), table_name="inbound_numbers")
    op.drop_table("inbound_numbers")
