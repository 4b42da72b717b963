"""HTTP routes of the web chat: the public leave-a-message form and the widget settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response, status

from kefu.accounts.api import client_address
from kefu.accounts.models import Shop
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.channels import leave, widget
from kefu.channels.visitor import VisitorTokens
from kefu.channels.webchat_schemas import LeaveMessageIn, LeftMessage, WidgetSettings
from kefu.http.deps import SessionDep, requires
from kefu.shared.clock import utcnow

router = APIRouter(prefix="/api/v1/webchat", tags=["web chat"])

ShopSlug = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
TokenHeader = Annotated[str, Header(max_length=4096, pattern=r"^[A-Za-z0-9_.=-]*$")]
Manager = Annotated[Principal, Depends(requires(Permission.CHANNELS_MANAGE))]


def _tokens(request: Request) -> VisitorTokens:
    tokens: VisitorTokens = request.app.state.visitor_tokens
    return tokens


def _leave_limit(request: Request) -> leave.LeaveLimit:
    limit: leave.LeaveLimit = request.app.state.leave_limit
    return limit


@router.post(
    "/{shop_slug}/leave-message",
    response_model=LeftMessage,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"description": "no such shop"}, 429: {"description": "too many messages"}},
)
async def leave_message(
    shop_slug: ShopSlug,
    body: LeaveMessageIn,
    request: Request,
    response: Response,
    session: SessionDep,
    x_kefu_visitor: TokenHeader = "",
    x_kefu_identity: TokenHeader = "",
) -> LeftMessage:
    """Public: a visitor leaves a message while no agent is online. Send the widget's visitor
    token in ``X-Kefu-Visitor`` (without one a new visitor is made and its token returned) and,
    for a signed-in customer, the shop's identity token in ``X-Kefu-Identity``. 201 once the
    message is stored; 200 with the same message when ``client_id`` repeats."""
    now = utcnow()
    token, visitor = await widget.open_visitor(
        session,
        tokens=_tokens(request),
        shop_slug=shop_slug,
        presented=widget.VisitorTokenPair(visitor=x_kefu_visitor, identity=x_kefu_identity),
        now=now,
    )
    message, created = await leave.leave_message(
        session,
        visitor=visitor,
        data=body,
        limit=_leave_limit(request),
        address=client_address(request),
        now=now,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return LeftMessage(
        conversation_id=message.conversation_id,
        message_id=message.id,
        duplicate=not created,
        visitor=token,
    )


def _settings(shop: Shop) -> WidgetSettings:
    return WidgetSettings(
        shop_slug=shop.slug, chat_path=f"/chat/{shop.slug}", widget_secret=shop.widget_secret
    )


@router.get("/settings", response_model=WidgetSettings)
async def get_settings(principal: Manager, session: SessionDep) -> WidgetSettings:
    """The widget's settings, secret included (owners and admins)."""
    return _settings(await widget.widget_settings(session, actor=principal))


@router.post("/settings", response_model=WidgetSettings)
async def rotate_secret(principal: Manager, session: SessionDep) -> WidgetSettings:
    """Create or replace the widget secret; tokens signed with the old one stop working."""
    return _settings(await widget.rotate_widget_secret(session, actor=principal, now=utcnow()))
