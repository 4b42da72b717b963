"""HTTP routes of the webhook channel: integrations and dead letters for shop admins, and the
public, signed endpoint IM platforms post customers' messages to."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, status

from kefu.channels.webhook import service
from kefu.channels.webhook.models import WebhookChannel
from kefu.channels.webhook.schemas import (
    DeliveryOut,
    InboundEvent,
    InboundResult,
    WebhookChannelCreate,
    WebhookChannelOut,
    WebhookChannelSecret,
    WebhookChannelUpdate,
    describe_channel,
    reveal_secret,
)
from kefu.channels.webhook.signing import MAX_TIMESTAMP_CHARS, SIGNATURE_HEADER, TIMESTAMP_HEADER
from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath, OptionalIdQuery
from kefu.shared.clock import utcnow

router = APIRouter(prefix="/api/v1", tags=["webhook channel"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such channel in your shop (webhook_channel_not_found)"}
}
DeliveryState = Literal["pending", "retrying", "delivered", "dead"]


@router.get("/webhook-channels", response_model=list[WebhookChannelOut])
async def list_channels(
    principal: CurrentPrincipal, session: SessionDep
) -> list[WebhookChannelOut]:
    """The shop's IM / social integrations (owners and admins); secrets are never listed."""
    channels = await service.list_channels(session, actor=principal)
    return [describe_channel(c) for c in channels]


@router.post(
    "/webhook-channels", response_model=WebhookChannelSecret, status_code=status.HTTP_201_CREATED
)
async def create_channel(
    body: WebhookChannelCreate, principal: CurrentPrincipal, session: SessionDep
) -> WebhookChannelSecret:
    """Create an integration; the response carries its signing secret, shown this once."""
    channel = await service.create_channel(session, actor=principal, data=body, now=utcnow())
    return reveal_secret(channel)


@router.get("/webhook-channels/{channel_id}", response_model=WebhookChannelOut, responses=_ERRORS)
async def get_channel(
    channel_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> WebhookChannelOut:
    channel = await service.require_channel(session, actor=principal, channel_id=channel_id)
    return describe_channel(channel)


@router.patch("/webhook-channels/{channel_id}", response_model=WebhookChannelOut, responses=_ERRORS)
async def update_channel(
    channel_id: IdPath, body: WebhookChannelUpdate, principal: CurrentPrincipal, session: SessionDep
) -> WebhookChannelOut:
    """Rename, change the callback URL, or disable (inbound refused, replies not sent)."""
    channel = await service.update_channel(
        session, actor=principal, channel_id=channel_id, data=body, now=utcnow()
    )
    return describe_channel(channel)


@router.post(
    "/webhook-channels/{channel_id}/rotate-secret",
    response_model=WebhookChannelSecret,
    responses=_ERRORS,
)
async def rotate_secret(
    channel_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> WebhookChannelSecret:
    """A new secret, shown this once; the old one still verifies inbound events for 24 hours."""
    channel = await service.rotate_secret(
        session, actor=principal, channel_id=channel_id, now=utcnow()
    )
    return reveal_secret(channel)


@router.get(
    "/webhook-channels/{channel_id}/deliveries",
    response_model=list[DeliveryOut],
    responses=_ERRORS,
)
async def list_deliveries(
    channel_id: IdPath,
    principal: CurrentPrincipal,
    session: SessionDep,
    delivery_status: Annotated[
        DeliveryState | None, Query(alias="status", description="dead: the dead-letter list")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: OptionalIdQuery = None,
) -> list[DeliveryOut]:
    """Replies delivered (or not) through this channel, newest first."""
    deliveries = await service.list_deliveries(
        session,
        actor=principal,
        channel_id=channel_id,
        status=delivery_status,
        limit=limit,
        before_id=before_id,
    )
    return [DeliveryOut.model_validate(d) for d in deliveries]


@router.post(
    "/webhook-deliveries/{delivery_id}/retry",
    response_model=DeliveryOut,
    responses={
        404: {"description": "no such delivery in your shop (webhook_delivery_not_found)"},
        409: {"description": "not dead (delivery_not_dead), or the channel is disabled"},
    },
)
async def retry_delivery(
    delivery_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> DeliveryOut:
    """Queue a dead letter again: it is sent within seconds, with a fresh round of attempts."""
    delivery = await service.retry_delivery(
        session, actor=principal, delivery_id=delivery_id, now=utcnow()
    )
    return DeliveryOut.model_validate(delivery)


async def signed_channel(
    channel_id: IdPath,
    request: Request,
    session: SessionDep,
    timestamp: Annotated[
        str | None, Header(alias=TIMESTAMP_HEADER, max_length=MAX_TIMESTAMP_CHARS)
    ] = None,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER, max_length=200)] = None,
) -> WebhookChannel:
    """The channel, once the signature of the raw body is checked: before the body is
    validated, so an unsigned request learns nothing about what a valid one looks like."""
    return await service.authenticate_inbound(
        session,
        channel_id=channel_id,
        timestamp=timestamp,
        signature=signature,
        body=await request.body(),
        now=utcnow(),
    )


@router.post(
    "/webhooks/im/{channel_id}",
    response_model=InboundResult,
    responses={
        401: {
            "description": "missing_signature, bad_signature, missing_timestamp, "
            "bad_timestamp or stale_timestamp (more than 300 s off)"
        },
        403: {"description": "the channel is disabled (channel_disabled)"},
        **_ERRORS,
    },
)
async def receive_im_event(
    body: InboundEvent,
    channel: Annotated[WebhookChannel, Depends(signed_channel)],
    session: SessionDep,
) -> InboundResult:
    """A customer's message from the IM platform, signed with the channel's secret (see
    docs/channels-webhook.md). Answered once stored; an event id seen before is answered
    with the original message and ``duplicate: true``, and stores nothing."""
    outcome = await service.receive_event(session, channel=channel, event=body, now=utcnow())
    return InboundResult(
        duplicate=outcome.duplicate,
        customer_id=outcome.customer_id,
        conversation_id=outcome.conversation_id,
        message_id=outcome.message_id,
    )
