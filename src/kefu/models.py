"""Every table, imported in one place so metadata (Alembic, tests) sees the whole schema."""

from kefu.accounts.models import ApiToken, AuditEvent, Shop, Team, User
from kefu.attachments.models import Attachment
from kefu.channels.email.models import MailRecord
from kefu.channels.webhook.models import WebhookChannel, WebhookDelivery, WebhookReceipt
from kefu.commerce.models import Order, OrderItem, Product, ReturnRequest, Shipment, TrackingEvent
from kefu.conversations.models import Conversation, ConversationTag, Message
from kefu.customers.models import Customer, CustomerIdentity
from kefu.knowledge.models import CannedReply
from kefu.shared.db import Base

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "CannedReply",
    "Conversation",
    "ConversationTag",
    "Customer",
    "CustomerIdentity",
    "MailRecord",
    "Message",
    "Order",
    "OrderItem",
    "Product",
    "ReturnRequest",
    "Shipment",
    "Shop",
    "Team",
    "TrackingEvent",
    "User",
    "WebhookChannel",
    "WebhookDelivery",
    "WebhookReceipt",
    "metadata",
]
