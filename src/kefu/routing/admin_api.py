"""HTTP routes of routing administration: queues, rules, agents' routing profiles, settings."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath
from kefu.routing import admin
from kefu.routing.schemas import (
    AgentProfileOut,
    AgentProfileUpdate,
    QueueIn,
    QueueOut,
    QueueUpdate,
    RoutingSettingsOut,
    RoutingSettingsUpdate,
    RuleIn,
    RuleOrder,
    RuleOut,
    RuleUpdate,
)
from kefu.shared.clock import utcnow

router = APIRouter(prefix="/api/v1/routing", tags=["routing admin"])
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("/queues", response_model=list[QueueOut])
async def list_queues(principal: CurrentPrincipal, session: SessionDep) -> list[QueueOut]:
    queues = await admin.list_queues(session, actor=principal)
    return [QueueOut.model_validate(queue) for queue in queues]


@router.post("/queues", response_model=QueueOut, status_code=status.HTTP_201_CREATED)
async def create_queue(body: QueueIn, principal: CurrentPrincipal, session: SessionDep) -> QueueOut:
    queue = await admin.create_queue(session, actor=principal, data=body, now=utcnow())
    return QueueOut.model_validate(queue)


@router.patch("/queues/{queue_id}", response_model=QueueOut)
async def update_queue(
    queue_id: IdPath, body: QueueUpdate, principal: CurrentPrincipal, session: SessionDep
) -> QueueOut:
    queue = await admin.update_queue(
        session, actor=principal, queue_id=queue_id, data=body, now=utcnow()
    )
    return QueueOut.model_validate(queue)


@router.delete("/queues/{queue_id}", status_code=NO_CONTENT)
async def delete_queue(
    queue_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Its rules and agents' skills go with it; its waiting conversations stay, queueless."""
    await admin.delete_queue(session, actor=principal, queue_id=queue_id, now=utcnow())
    return Response(status_code=NO_CONTENT)


@router.get("/rules", response_model=list[RuleOut])
async def list_rules(principal: CurrentPrincipal, session: SessionDep) -> list[RuleOut]:
    rules = await admin.list_rules(session, actor=principal)
    return [RuleOut.model_validate(rule) for rule in rules]


@router.post("/rules", response_model=RuleOut, status_code=status.HTTP_201_CREATED)
async def create_rule(body: RuleIn, principal: CurrentPrincipal, session: SessionDep) -> RuleOut:
    rule = await admin.create_rule(session, actor=principal, data=body, now=utcnow())
    return RuleOut.model_validate(rule)


@router.put("/rules/order", response_model=list[RuleOut])
async def reorder_rules(
    body: RuleOrder, principal: CurrentPrincipal, session: SessionDep
) -> list[RuleOut]:
    """Set the order rules are tried in: every rule id of the shop, once each."""
    rules = await admin.reorder_rules(
        session, actor=principal, rule_ids=body.rule_ids, now=utcnow()
    )
    return [RuleOut.model_validate(rule) for rule in rules]


@router.patch("/rules/{rule_id}", response_model=RuleOut)
async def update_rule(
    rule_id: IdPath, body: RuleUpdate, principal: CurrentPrincipal, session: SessionDep
) -> RuleOut:
    rule = await admin.update_rule(
        session, actor=principal, rule_id=rule_id, data=body, now=utcnow()
    )
    return RuleOut.model_validate(rule)


@router.delete("/rules/{rule_id}", status_code=NO_CONTENT)
async def delete_rule(
    rule_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    await admin.delete_rule(session, actor=principal, rule_id=rule_id, now=utcnow())
    return Response(status_code=NO_CONTENT)


@router.get("/agents", response_model=list[AgentProfileOut])
async def list_agents(principal: CurrentPrincipal, session: SessionDep) -> list[AgentProfileOut]:
    return await admin.list_agent_profiles(session, actor=principal)


@router.patch("/agents/{user_id}", response_model=AgentProfileOut)
async def update_agent(
    user_id: IdPath, body: AgentProfileUpdate, principal: CurrentPrincipal, session: SessionDep
) -> AgentProfileOut:
    return await admin.update_agent_profile(
        session, actor=principal, user_id=user_id, data=body, now=utcnow()
    )


@router.get("/settings", response_model=RoutingSettingsOut)
async def read_settings(principal: CurrentPrincipal, session: SessionDep) -> RoutingSettingsOut:
    return await admin.read_settings(session, actor=principal)


@router.patch("/settings", response_model=RoutingSettingsOut)
async def update_settings(
    body: RoutingSettingsUpdate, principal: CurrentPrincipal, session: SessionDep
) -> RoutingSettingsOut:
    return await admin.update_settings(session, actor=principal, data=body, now=utcnow())
