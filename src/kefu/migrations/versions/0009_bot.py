"""Bot runtime: per-shop settings, per-conversation state, turn and action logs.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kefu.shared.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bot_settings",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("handoff_vip_level", sa.Integer(), nullable=True),
        sa.Column("max_out_of_scope", sa.Integer(), nullable=False),
        sa.Column("return_window_days", sa.Integer(), nullable=False),
        sa.Column("greeting_zh", sa.Text(), nullable=False),
        sa.Column("greeting_en", sa.Text(), nullable=False),
        sa.Column("updated_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_bot_settings_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_bot_settings")),
    )
    op.create_table(
        "bot_sessions",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=True),
        sa.Column("pending", sa.String(length=16), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("out_of_scope", sa.Integer(), nullable=False),
        sa.Column("last_intent", sa.String(length=64), nullable=True),
        sa.Column("handed_over_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handoff_reason", sa.String(length=32), nullable=True),
        sa.Column("created_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_bot_sessions_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_bot_sessions_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_bot_sessions_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_bot_sessions")),
    )
    with op.batch_alter_table("bot_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bot_sessions_shop_handoff", ["shop_id", "handed_over_at"], unique=False
        )

    op.create_table(
        "bot_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("emotion", sa.String(length=16), nullable=False),
        sa.Column("angry", sa.Boolean(), nullable=False),
        sa.Column("handoff_reason", sa.String(length=32), nullable=True),
        sa.Column("reply_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_bot_turns_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_bot_turns_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_message_id"],
            ["messages.id"],
            name=op.f("fk_bot_turns_reply_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_bot_turns_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_turns")),
        sa.UniqueConstraint("message_id", name=op.f("uq_bot_turns_message_id")),
    )
    with op.batch_alter_table("bot_turns", schema=None) as batch_op:
        batch_op.create_index("ix_bot_turns_conversation", ["conversation_id", "id"], unique=False)
        batch_op.create_index("ix_bot_turns_shop_created", ["shop_id", "created_at"], unique=False)

    op.create_table(
        "bot_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", kefu.shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_bot_actions_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_bot_actions_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_bot_actions_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["turn_id"],
            ["bot_turns.id"],
            name=op.f("fk_bot_actions_turn_id_bot_turns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_actions")),
    )
    with op.batch_alter_table("bot_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bot_actions_shop_created", ["shop_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bot_actions_turn_id"), ["turn_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bot_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bot_actions_turn_id"))
        batch_op.drop_index("ix_bot_actions_shop_created")

    op.drop_table("bot_actions")
    with op.batch_alter_table("bot_turns", schema=None) as batch_op:
        batch_op.drop_index("ix_bot_turns_shop_created")
        batch_op.drop_index("ix_bot_turns_conversation")

    op.drop_table("bot_turns")
    with op.batch_alter_table("bot_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_bot_sessions_shop_handoff")

    op.drop_table("bot_sessions")
    op.drop_table("bot_settings")
