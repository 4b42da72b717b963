"""Analytics and workforce: KPI goals, scheduled reports, presence spans, reopen counts, plans.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

import kefu.shared.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, *, nullable: bool) -> sa.Column[datetime]:
    return sa.Column(name, kefu.shared.db.UTCDateTime(timezone=True), nullable=nullable)


def _shop_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "kpi_goals",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        _utc("updated_at", nullable=False),
        _shop_fk(),
        sa.PrimaryKeyConstraint("shop_id", "metric"),
    )
    op.create_table(
        "report_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("last_period", sa.String(length=16), nullable=True),
        _utc("last_sent_at", nullable=True),
        _utc("created_at", nullable=False),
        _utc("updated_at", nullable=False),
        _shop_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_schedules_shop_id", "report_schedules", ["shop_id"])
    op.create_table(
        "routing_presence_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("presence", sa.String(length=16), nullable=False),
        _utc("started_at", nullable=False),
        _utc("ended_at", nullable=True),
        _shop_fk(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_routing_presence_spans_shop_started",
        "routing_presence_spans",
        ["shop_id", "started_at"],
    )
    op.create_index(
        "ix_routing_presence_spans_user_open", "routing_presence_spans", ["user_id", "ended_at"]
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_index("ix_conversations_shop_created", "conversations", ["shop_id", "created_at"])
    op.create_table(
        "wfm_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("forecast", sa.JSON(), nullable=False),
        sa.Column("requirement", sa.JSON(), nullable=False),
        sa.Column("roster", sa.JSON(), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        _utc("created_at", nullable=False),
        _shop_fk(),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_wfm_plans_shop_id", "wfm_plans", ["shop_id"])


def downgrade() -> None:
    op.drop_index("ix_wfm_plans_shop_id", table_name="wfm_plans")
    op.drop_table("wfm_plans")
    op.drop_index("ix_conversations_shop_created", table_name="conversations")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("reopen_count")
    op.drop_index("ix_routing_presence_spans_user_open", table_name="routing_presence_spans")
    op.drop_index("ix_routing_presence_spans_shop_started", table_name="routing_presence_spans")
    op.drop_table("routing_presence_spans")
    op.drop_index("ix_report_schedules_shop_id", table_name="report_schedules")
    op.drop_table("report_schedules")
    op.drop_table("kpi_goals")
