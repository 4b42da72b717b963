"""The web-chat widget's use cases: who the visitor is (anonymous, or the shop's signed-in
customer) and the shop's widget secret that signs those identities."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.models import Shop
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.channels import webchat
from kefu.channels.identity import InvalidIdentity, ShopIdentity, read_identity
from kefu.channels.visitor import VisitorTokens
from kefu.customers import service as customers
from kefu.customers.models import Customer
from kefu.customers.schemas import IdentityKind
from kefu.shared.errors import NotFound

SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class VisitorTokenPair:
    """What a widget presents: its visitor token and, for a signed-in customer, the shop's
    identity token."""

    visitor: str = ""
    identity: str = ""


async def open_visitor(
    session: AsyncSession,
    *,
    tokens: VisitorTokens,
    shop_slug: str,
    presented: VisitorTokenPair,
    now: datetime,
) -> tuple[str, webchat.Visitor]:
    """The visitor behind the tokens (a new anonymous one if the visitor token is missing or
    not genuine) and the visitor token to keep. With an identity token, the visitor is the
    shop's customer it names; a bad identity token raises ``InvalidIdentity``, never falls back.

    The anonymous customer of the browser is not merged into the identified one: on a shared
    computer the next, anonymous, visitor must not see the signed-in customer's chats."""
    shop_id = await webchat.shop_id_for_slug(session, shop_slug)
    token = presented.visitor
    claim = tokens.read(token, shop_id=shop_id) if token else None
    if claim is None:
        token, claim = tokens.issue(shop_id)
    if not presented.identity:
        return token, await webchat.recognise_visitor(session, claim=claim, now=now)
    customer = await identify_customer(
        session, shop_id=shop_id, identity_token=presented.identity, now=now
    )
    return token, webchat.Visitor(
        shop_id=shop_id, customer_id=customer.id, visitor_id=claim.visitor_id
    )


async def identify_customer(
    session: AsyncSession, *, shop_id: int, identity_token: str, now: datetime
) -> Customer:
    """The shop's customer named by a token signed with the shop's widget secret: found by
    their shop user id, else by e-mail (an imported customer with orders), else new. Their
    e-mail and phone become identities where no other customer holds them."""
    shop = await accounts.get_shop(session, shop_id)
    if shop is None or not shop.widget_secret:
        raise InvalidIdentity(
            "this shop has no widget secret; create one in the web chat settings",
            code="identity_not_configured",
        )
    identity = read_identity(identity_token, secret=shop.widget_secret, now=now)
    customer = await _customer_for(session, shop_id=shop_id, identity=identity, now=now)
    for kind, value in ((IdentityKind.EMAIL, identity.email), (IdentityKind.PHONE, identity.phone)):
        if value:
            await customers.claim_identity(
                session, customer=customer, kind=kind, value=value, now=now
            )
    placeholders = {"", identity.external_id, identity.email or ""}
    if identity.name and customer.name in placeholders:
        customer.name = identity.name
        customer.updated_at = now
        await session.commit()
    return customer


async def _customer_for(
    session: AsyncSession, *, shop_id: int, identity: ShopIdentity, now: datetime
) -> Customer:
    external = IdentityKind.EXTERNAL
    found = await customers.get_customer_by_identity(
        session, shop_id=shop_id, kind=external, value=identity.external_id
    )
    if found is not None:
        return found
    if identity.email:
        lookup = await customers.customers_by_email(
            session, shop_id=shop_id, emails=[identity.email]
        )
        by_email = lookup.customers.get(identity.email)
        if (
            by_email is not None
            and not await _has_external_id(session, by_email)
            and await customers.claim_identity(
                session, customer=by_email, kind=external, value=identity.external_id, now=now
            )
        ):
            return by_email
    customer, _new = await customers.find_or_create_by_identity(
        session,
        shop_id=shop_id,
        kind=external,
        value=identity.external_id,
        name=identity.name,
        now=now,
    )
    return customer


async def _has_external_id(session: AsyncSession, customer: Customer) -> bool:
    """A customer already known as another of the shop's users is not taken over by e-mail."""
    identities = await customers.list_identities(
        session, shop_id=customer.shop_id, customer_id=customer.id
    )
    return any(i.kind == IdentityKind.EXTERNAL.value for i in identities)


async def _shop(session: AsyncSession, actor: Principal) -> Shop:
    actor.require(Permission.CHANNELS_MANAGE)
    shop = await accounts.get_shop(session, actor.shop_id)
    if shop is None:
        raise NotFound("no such shop", code="shop_not_found")
    return shop


async def widget_settings(session: AsyncSession, *, actor: Principal) -> Shop:
    """The actor's shop, for its slug and widget secret (owners and admins only)."""
    return await _shop(session, actor)


async def rotate_widget_secret(session: AsyncSession, *, actor: Principal, now: datetime) -> Shop:
    """Replace the widget secret: identity tokens signed with the old one stop working."""
    shop = await _shop(session, actor)
    shop.widget_secret = secrets.token_urlsafe(SECRET_BYTES)
    await accounts.record_audit(
        session,
        actor=actor,
        action="webchat.secret_rotated",
        target_type="shop",
        target_id=shop.id,
        now=now,
    )
    await session.commit()
    return shop
