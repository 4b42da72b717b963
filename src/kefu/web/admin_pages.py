"""The shop's channel settings as pages, for owners and admins: IM webhook integrations and
their dead letters, replies that could not be mailed, and the web chat widget.

Secrets are shown once, in the answer to the post that made them: never listed, never put in
a redirect or the session. Every change goes through the channel services, which audit it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.channels import widget
from kefu.channels.email import service as email
from kefu.channels.email.addresses import shop_address
from kefu.channels.webhook import service as webhooks
from kefu.channels.webhook.models import WebhookChannel
from kefu.channels.webhook.schemas import (
    MAX_URL_CHARS,
    WebhookChannelCreate,
    WebhookChannelUpdate,
    describe_channel,
)
from kefu.http.deps import SessionDep, get_settings
from kefu.http.params import IdPath, OptionalIdQuery
from kefu.shared.clock import utcnow
from kefu.web.i18n import CATALOG
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep, is_htmx

router = APIRouter(route_class=PageRoute, include_in_schema=False)

BASE = "/admin/channels"
LIST_LIMIT = 50
EXCERPT_CHARS = 80
NOTICE = "admin_notice"
DeliveryFilter = Literal["dead", "retrying", "pending", "delivered", "all"]
DELIVERY_FILTERS: tuple[DeliveryFilter, ...] = ("dead", "retrying", "pending", "delivered", "all")
Back = Literal["list", "detail"]


async def channel_manager(viewer: ViewerDep) -> Viewer:
    """The viewer, if their role manages the shop's channels (owners and admins)."""
    viewer.principal.require(Permission.CHANNELS_MANAGE)
    return viewer


ManagerDep = Annotated[Viewer, Depends(channel_manager)]


def webhook_path(channel_id: int, status: DeliveryFilter = "dead") -> str:
    return f"{BASE}/webhooks/{channel_id}?status={status}"


def _flash(request: Request, key: str) -> None:
    """Say what was done on the page the browser is sent to next (a catalog key, no data)."""
    request.session[NOTICE] = key


def _take_notice(request: Request) -> str | None:
    key = request.session.pop(NOTICE, None)
    return key if isinstance(key, str) and key in CATALOG else None


def _origin(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _create_form(
    *, name: str = "", platform: str = "generic", callback_url: str = "", error: str | None = None
) -> dict[str, object]:
    return {"name": name, "platform": platform, "callback_url": callback_url, "error": error}


def _create_error(exc: ValidationError) -> str:
    fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    for name in ("name", "platform", "callback_url"):
        if name in fields:
            return f"channels.webhook.error.{name}"
    return "channels.webhook.error.generic"


# --- the overview: every channel on one page ---


async def _render_overview(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    *,
    form: dict[str, object] | None = None,
    widget_secret: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    actor = viewer.principal
    settings = get_settings(request)
    shop = await widget.widget_settings(session, actor=actor)
    context = {
        "channels": await webhooks.list_channels(session, actor=actor),
        "dead_counts": await webhooks.dead_letter_counts(session, actor=actor),
        "form": form or _create_form(),
        "url_max": MAX_URL_CHARS,
        "failed_mail": await email.list_failed_mail(session, actor=actor, limit=LIST_LIMIT),
        "mail_address": shop_address(shop.slug, settings.email_domain),
        "mail_inbound_on": settings.email_smtp_port is not None,
        "mail_outbound_on": settings.email_outbound_host is not None,
        "origin": _origin(request),
        "widget_secret_set": bool(shop.widget_secret),
        "new_widget_secret": widget_secret,
        "notice": _take_notice(request),
    }
    return viewer.render(
        request, "admin/channels.html", context, status_code=status_code, page_path=BASE
    )


@router.get(BASE)
async def channels_page(request: Request, viewer: ManagerDep, session: SessionDep) -> HTMLResponse:
    return await _render_overview(request, session, viewer)


@router.post(BASE + "/webhooks")
async def create_webhook(
    request: Request,
    viewer: ManagerDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=400)] = "",
    platform: Annotated[str, Form(max_length=100)] = "generic",
    callback_url: Annotated[str, Form(max_length=MAX_URL_CHARS * 2)] = "",
) -> Response:
    """Create an integration and answer with its page, its new secret shown this once."""
    try:
        data = WebhookChannelCreate.model_validate(
            {"name": name, "platform": platform or "generic", "callback_url": callback_url}
        )
    except ValidationError as exc:
        form = _create_form(
            name=name, platform=platform, callback_url=callback_url, error=_create_error(exc)
        )
        return await _render_overview(request, session, viewer, form=form, status_code=422)
    channel = await webhooks.create_channel(
        session, actor=viewer.principal, data=data, now=utcnow()
    )
    return await _render_webhook(
        request, session, viewer, channel, secret=channel.secret, notice="channels.notice.created"
    )


@router.post(BASE + "/webchat/rotate-secret")
async def rotate_widget_secret(
    request: Request, viewer: ManagerDep, session: SessionDep
) -> HTMLResponse:
    """Create or replace the widget secret and show it this once."""
    shop = await widget.rotate_widget_secret(session, actor=viewer.principal, now=utcnow())
    return await _render_overview(request, session, viewer, widget_secret=shop.widget_secret)


# --- one integration and its deliveries ---


async def _render_webhook(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    channel: WebhookChannel,
    *,
    status: DeliveryFilter = "dead",
    before_id: int | None = None,
    secret: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    actor = viewer.principal
    deliveries = await webhooks.list_deliveries(
        session,
        actor=actor,
        channel_id=channel.id,
        status=None if status == "all" else status,
        limit=LIST_LIMIT,
        before_id=before_id,
    )
    counts = await webhooks.dead_letter_counts(session, actor=actor)
    context = {
        "channel": describe_channel(channel),
        "origin": _origin(request),
        "secret": secret,
        "grace_until": channel.previous_secret_expires_at if secret else None,
        "status": status,
        "filters": DELIVERY_FILTERS,
        "dead_count": counts.get(channel.id, 0),
        "deliveries": deliveries,
        "texts": await webhooks.delivery_texts(
            session, actor=actor, deliveries=deliveries, max_chars=EXCERPT_CHARS
        ),
        "older_id": deliveries[-1].id if len(deliveries) == LIST_LIMIT else None,
        "notice": notice or _take_notice(request),
    }
    return viewer.render(
        request,
        "admin/webhook.html",
        context,
        page_path=f"{BASE}/webhooks/{channel.id}",
    )


@router.get(BASE + "/webhooks/{channel_id}")
async def webhook_page(
    channel_id: IdPath,
    request: Request,
    viewer: ManagerDep,
    session: SessionDep,
    status: Annotated[DeliveryFilter, Query()] = "dead",
    before_id: OptionalIdQuery = None,
) -> HTMLResponse:
    """The integration and its deliveries by status; ``dead`` (the default) is the dead-letter
    list, each with a button to send it again."""
    channel = await webhooks.require_channel(session, actor=viewer.principal, channel_id=channel_id)
    return await _render_webhook(
        request, session, viewer, channel, status=status, before_id=before_id
    )


@router.post(BASE + "/webhooks/{channel_id}/enabled")
async def set_webhook_enabled(
    channel_id: IdPath,
    request: Request,
    viewer: ManagerDep,
    session: SessionDep,
    enabled: Annotated[bool, Form()] = False,
    back: Annotated[Back, Form()] = "list",
) -> Response:
    """Turn an integration on or off; htmx gets the list row back, a plain form a redirect."""
    channel = await webhooks.update_channel(
        session,
        actor=viewer.principal,
        channel_id=channel_id,
        data=WebhookChannelUpdate(enabled=enabled),
        now=utcnow(),
    )
    if is_htmx(request) and back == "list":
        counts = await webhooks.dead_letter_counts(session, actor=viewer.principal)
        return viewer.render(
            request,
            "admin/_webhook_row.html",
            {"channel": channel, "dead_count": counts.get(channel.id, 0)},
        )
    _flash(request, "channels.notice.enabled" if enabled else "channels.notice.disabled")
    target = webhook_path(channel.id) if back == "detail" else BASE
    return RedirectResponse(target, status_code=303)


@router.post(BASE + "/webhooks/{channel_id}/rotate-secret")
async def rotate_webhook_secret(
    channel_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep
) -> HTMLResponse:
    """A new secret, shown this once; the old one still verifies inbound events for a day."""
    channel = await webhooks.rotate_secret(
        session, actor=viewer.principal, channel_id=channel_id, now=utcnow()
    )
    return await _render_webhook(
        request, session, viewer, channel, secret=channel.secret, notice="channels.notice.rotated"
    )


@router.post(BASE + "/deliveries/{delivery_id}/retry")
async def retry_delivery(
    delivery_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep
) -> Response:
    """Queue a dead letter again; htmx gets its row (now queued), a plain form a redirect."""
    delivery = await webhooks.retry_delivery(
        session, actor=viewer.principal, delivery_id=delivery_id, now=utcnow()
    )
    if is_htmx(request):
        actor = viewer.principal
        texts = await webhooks.delivery_texts(
            session, actor=actor, deliveries=[delivery], max_chars=EXCERPT_CHARS
        )
        counts = await webhooks.dead_letter_counts(session, actor=actor)
        context = {
            "delivery": delivery,
            "texts": texts,
            "retried": True,
            "oob_dead_count": counts.get(delivery.channel_id, 0),
        }
        return viewer.render(request, "admin/_delivery_row.html", context)
    _flash(request, "channels.notice.retried")
    return RedirectResponse(webhook_path(delivery.channel_id), status_code=303)
