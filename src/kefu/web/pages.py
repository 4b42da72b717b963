"""The web UI's router: login, the conversation list and the conversation page, as HTML."""

from __future__ import annotations

from fastapi import APIRouter

from kefu.web import (
    admin_pages,
    analytics_pages,
    assist_pages,
    auth_pages,
    board_pages,
    bot_pages,
    canned_pages,
    chat_pages,
    conversation_pages,
    inbox_pages,
    kb_pages,
    report_pages,
    routing_pages,
    sla_pages,
    subtask_pages,
    topics_pages,
    wallboard_pages,
    wfm_pages,
    workspace_pages,
)
from kefu.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
router.include_router(auth_pages.router)
router.include_router(chat_pages.router)
router.include_router(inbox_pages.router)
router.include_router(conversation_pages.router)
router.include_router(workspace_pages.router)
router.include_router(canned_pages.router)
router.include_router(kb_pages.router)
router.include_router(assist_pages.router)
router.include_router(bot_pages.router)
router.include_router(admin_pages.router)
router.include_router(routing_pages.router)
router.include_router(sla_pages.router)
router.include_router(board_pages.router)
router.include_router(subtask_pages.router)
router.include_router(analytics_pages.router)
router.include_router(wallboard_pages.router)
router.include_router(wfm_pages.router)
router.include_router(topics_pages.router)
router.include_router(report_pages.router)
