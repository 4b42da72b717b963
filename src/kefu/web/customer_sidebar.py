"""What the conversation page shows beside the thread: the customer's profile and identities,
their other conversations, their latest orders with tracking and returns, and the transfer form.

Bounded and batched: at most ``RECENT_CONVERSATIONS`` conversations and ``RECENT_ORDERS`` orders,
read in a fixed number of queries whatever the customer's history, always within the shop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import Team, User
from kefu.accounts.permissions import Permission
from kefu.commerce.queries import list_customer_orders
from kefu.commerce.schemas import OrderDetail, ReturnOut
from kefu.conversations import queries
from kefu.conversations.schemas import MAX_TRANSFER_NOTE_CHARS, ConversationOut
from kefu.customers.models import Customer, CustomerIdentity
from kefu.customers.service import get_customer, list_identities
from kefu.routing.models import RoutingQueue
from kefu.web.viewer import Viewer

RECENT_CONVERSATIONS = 10
RECENT_ORDERS = 5


@dataclass(frozen=True, slots=True)
class CustomerSidebar:
    customer: Customer | None
    identities: Sequence[CustomerIdentity] = ()
    conversations: list[ConversationOut] = field(default_factory=list)
    conversation_total: int = 0
    orders: list[OrderDetail] = field(default_factory=list)
    returns: list[ReturnOut] = field(default_factory=list)
    can_see_orders: bool = False


async def load_sidebar(
    session: AsyncSession, viewer: Viewer, summary: ConversationOut
) -> CustomerSidebar:
    """The sidebar of ``summary``'s customer, showing only what the viewer's role may read."""
    actor = viewer.principal
    if not viewer.can(Permission.CUSTOMERS_READ):
        return CustomerSidebar(customer=None)
    customer = await get_customer(session, shop_id=actor.shop_id, customer_id=summary.customer.id)
    if customer is None:
        return CustomerSidebar(customer=None)
    identities = await list_identities(session, shop_id=actor.shop_id, customer_id=customer.id)
    conversations, total = await queries.list_conversations(
        session,
        actor=actor,
        filters=queries.ConversationFilter(customer_id=customer.id),
        limit=RECENT_CONVERSATIONS,
        offset=0,
    )
    can_see_orders = viewer.can(Permission.COMMERCE_READ)
    orders = (
        await list_customer_orders(
            session, actor=actor, customer_id=customer.id, limit=RECENT_ORDERS
        )
        if can_see_orders
        else []
    )
    returns = sorted(
        (r for order in orders for r in order.returns),
        key=lambda r: (r.requested_at, r.id),
        reverse=True,
    )
    return CustomerSidebar(
        customer=customer,
        identities=identities,
        conversations=conversations,
        conversation_total=total,
        orders=orders,
        returns=returns,
        can_see_orders=can_see_orders,
    )


@dataclass(frozen=True, slots=True)
class TransferForm:
    conversation_id: int
    users: Sequence[User]
    teams: Sequence[Team]
    allowed: bool
    queues: Sequence[RoutingQueue] = ()
    target: str = ""
    note: str = ""
    error: str | None = None
    oob: bool = False
    max_chars: int = MAX_TRANSFER_NOTE_CHARS


def may_transfer(viewer: Viewer, summary: ConversationOut) -> bool:
    """Agents hand on the conversations they hold; supervisors any (the service decides too)."""
    if not viewer.can(Permission.CONVERSATIONS_MANAGE):
        return False
    mine = summary.assignee_id is not None and summary.assignee_id == viewer.user.id
    return mine or viewer.can(Permission.CONVERSATIONS_ASSIGN_ANY)


async def transfer_form(
    session: AsyncSession,
    viewer: Viewer,
    summary: ConversationOut,
    *,
    target: str = "",
    note: str = "",
    error: str | None = None,
    oob: bool = False,
) -> TransferForm:
    allowed = may_transfer(viewer, summary)
    users: Sequence[User] = ()
    teams: Sequence[Team] = ()
    queues: Sequence[RoutingQueue] = ()
    if allowed:
        users, teams = await queries.list_transfer_targets(session, actor=viewer.principal)
        users = [u for u in users if u.id != summary.assignee_id]
        queues = await queries.list_transfer_queues(session, actor=viewer.principal)
    return TransferForm(
        conversation_id=summary.id,
        users=users,
        teams=teams,
        allowed=allowed,
        queues=queues,
        target=target,
        note=note,
        error=error,
        oob=oob,
    )
