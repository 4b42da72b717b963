"""HTTP routes of routing: an agent's own presence, and the supervisors' live board."""

from __future__ import annotations

from fastapi import APIRouter

from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.routing import board, presence
from kefu.routing.board_schemas import Board, PresenceIn, PresenceOut
from kefu.routing.models import AgentState
from kefu.shared.clock import utcnow

router = APIRouter(prefix="/api/v1/routing", tags=["routing"])


def _presence_out(state: AgentState) -> PresenceOut:
    return PresenceOut(
        user_id=state.user_id,
        presence=presence.Presence(state.presence),
        auto=state.presence_auto,
        max_chats=state.max_chats,
        peak_squad=state.peak_squad,
    )


@router.get("/presence", response_model=PresenceOut)
async def my_presence(principal: CurrentPrincipal, session: SessionDep) -> PresenceOut:
    return _presence_out(await presence.my_state(session, actor=principal, now=utcnow()))


@router.put("/presence", response_model=PresenceOut)
async def set_my_presence(
    body: PresenceIn, principal: CurrentPrincipal, session: SessionDep
) -> PresenceOut:
    """Online, away or offline: only online agents are given conversations."""
    state = await presence.set_presence(
        session, actor=principal, presence=body.presence, auto=body.auto, now=utcnow()
    )
    return _presence_out(state)


@router.get("/board", response_model=Board)
async def live_board(principal: CurrentPrincipal, session: SessionDep) -> Board:
    """Queues, agents and their load, who waits, SLAs at risk (supervisors and above)."""
    return await board.board(session, actor=principal, now=utcnow())
