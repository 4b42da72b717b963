"""Routing and escalation: queues, rules, agents' skills and state, sub-tasks, and the
conversation columns routing and SLAs work from.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kefu.shared.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "routing_queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("base_tier", sa.String(length=20), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("peak_threshold_seconds", sa.Integer(), nullable=True),
        sa.Column("peak_active", sa.Boolean(), nullable=False),
        sa.Column("peak_changed_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_routing_queues_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_queues")),
        sa.UniqueConstraint("shop_id", "name", name=op.f("uq_routing_queues_shop_id_name")),
    )
    with op.batch_alter_table("routing_queues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_queues_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "routing_settings",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("auto_assign", sa.Boolean(), nullable=False),
        sa.Column("strategy", sa.String(length=20), nullable=False),
        sa.Column("email_weight", sa.Float(), nullable=False),
        sa.Column("away_after_seconds", sa.Integer(), nullable=False),
        sa.Column("updated_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_routing_settings_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_routing_settings")),
    )
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("min_customer_level", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["routing_queues.id"],
            name=op.f("fk_routing_rules_queue_id_routing_queues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_routing_rules_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_rules_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "routing_agent_skills",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("proficiency", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["routing_queues.id"],
            name=op.f("fk_routing_agent_skills_queue_id_routing_queues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_routing_agent_skills_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_routing_agent_skills_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "queue_id", name=op.f("pk_routing_agent_skills")),
    )
    with op.batch_alter_table("routing_agent_skills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routing_agent_skills_shop_id"), ["shop_id"], unique=False
        )

    op.create_table(
        "routing_agents",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("presence", sa.String(length=16), nullable=False),
        sa.Column("presence_auto", sa.Boolean(), nullable=False),
        sa.Column("presence_changed_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_assigned_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("max_chats", sa.Integer(), nullable=False),
        sa.Column("peak_squad", sa.Boolean(), nullable=False),
        sa.Column("updated_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_routing_agents_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_routing_agents_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_routing_agents")),
    )
    with op.batch_alter_table("routing_agents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_agents_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "conversation_subtasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_conversation_subtasks_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_subtasks_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_conversation_subtasks_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_conversation_subtasks_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_subtasks")),
    )
    with op.batch_alter_table("conversation_subtasks", schema=None) as batch_op:
        batch_op.create_index("ix_subtasks_conversation", ["conversation_id"], unique=False)
        batch_op.create_index(
            "ix_subtasks_shop_department", ["shop_id", "department", "status"], unique=False
        )

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("queued_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("assigned_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("min_tier", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("intent", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("angry", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "awaiting_reply_since", kefu.shared.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "last_agent_reply_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("status_changed_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("complaint_since", kefu.shared.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sla_due_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_conversations_shop_open", ["shop_id", "status", "assignee_id"], unique=False
        )
        batch_op.create_index(
            "ix_conversations_unheld",
            ["shop_id", "queued_at"],
            unique=False,
            sqlite_where=sa.text("assignee_id IS NULL"),
            postgresql_where=sa.text("assignee_id IS NULL"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_conversations_queue_id_routing_queues"),
            "routing_queues",
            ["queue_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_conversations_queue_id_routing_queues"), type_="foreignkey"
        )
        batch_op.drop_index("ix_conversations_unheld")
        batch_op.drop_index("ix_conversations_shop_open")
        batch_op.drop_column("sla_due_at")
        batch_op.drop_column("complaint_since")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("last_agent_reply_at")
        batch_op.drop_column("awaiting_reply_since")
        batch_op.drop_column("angry")
        batch_op.drop_column("intent")
        batch_op.drop_column("min_tier")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("queued_at")
        batch_op.drop_column("queue_id")

    with op.batch_alter_table("conversation_subtasks", schema=None) as batch_op:
        batch_op.drop_index("ix_subtasks_shop_department")
        batch_op.drop_index("ix_subtasks_conversation")

    op.drop_table("conversation_subtasks")
    with op.batch_alter_table("routing_agents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_agents_shop_id"))

    op.drop_table("routing_agents")
    with op.batch_alter_table("routing_agent_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_agent_skills_shop_id"))

    op.drop_table("routing_agent_skills")
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_rules_shop_id"))

    op.drop_table("routing_rules")
    op.drop_table("routing_settings")
    with op.batch_alter_table("routing_queues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_queues_shop_id"))

    op.drop_table("routing_queues")
