"""Every table, imported in one place so metadata (Alembic, tests) sees the whole schema."""

from kefu.accounts.models import ApiToken, AuditEvent, Shop, Team, User
from kefu.analytics.models import KpiGoal, ReportSchedule
from kefu.attachments.models import Attachment
from kefu.bot.tables import BotAction, BotSession, BotSettings, BotTurn
from kefu.channels.email.models import MailRecord
from kefu.channels.webhook.models import WebhookChannel, WebhookDelivery, WebhookReceipt
from kefu.commerce.models import Order, OrderItem, Product, ReturnRequest, Shipment, TrackingEvent
from kefu.conversations.models import Conversation, ConversationTag, Message, Subtask
from kefu.customers.models import Customer, CustomerIdentity
from kefu.knowledge.models import CannedReply, KbArticle, KbCategory, KbVersion
from kefu.routing.models import (
    AgentSkill,
    AgentState,
    PresenceSpan,
    RoutingQueue,
    RoutingRule,
    RoutingSettings,
)
from kefu.shared.db import Base
from kefu.sla.models import SlaCalendar, SlaClock, SlaPolicy
from kefu.workforce.models import WfmPlan

metadata = Base.metadata

__all__ = [
    "AgentSkill",
    "AgentState",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "BotAction",
    "BotSession",
    "BotSettings",
    "BotTurn",
    "CannedReply",
    "Conversation",
    "ConversationTag",
    "Customer",
    "CustomerIdentity",
    "KbArticle",
    "KbCategory",
    "KbVersion",
    "KpiGoal",
    "MailRecord",
    "Message",
    "Order",
    "OrderItem",
    "PresenceSpan",
    "Product",
    "ReportSchedule",
    "ReturnRequest",
    "RoutingQueue",
    "RoutingRule",
    "RoutingSettings",
    "Shipment",
    "Shop",
    "SlaCalendar",
    "SlaClock",
    "SlaPolicy",
    "Subtask",
    "Team",
    "TrackingEvent",
    "User",
    "WebhookChannel",
    "WebhookDelivery",
    "WebhookReceipt",
    "WfmPlan",
    "metadata",
]
