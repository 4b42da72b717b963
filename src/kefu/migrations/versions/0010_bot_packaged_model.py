"""Bot settings name a packaged intent model (the demo shops' bots).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bot_settings") as batch:
        batch.add_column(sa.Column("packaged_model", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bot_settings") as batch:
        batch.drop_column("packaged_model")
