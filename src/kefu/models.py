"""Every table, imported in one place so metadata (Alembic, tests) sees the whole schema."""

from kefu.accounts.models import ApiToken, AuditEvent, Shop, Team, User
from kefu.channels.email.models import MailRecord
from kefu.commerce.models import Order, OrderItem, Product, ReturnRequest, Shipment, TrackingEvent
from kefu.conversations.models import Conversation, ConversationTag, Message
from kefu.customers.models import Customer, CustomerIdentity
from kefu.shared.db import Base

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "AuditEvent",
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
    "metadata",
]
