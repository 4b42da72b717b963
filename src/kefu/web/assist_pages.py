"""Agent assist on the conversation page: the knowledge base's best answers for the customer's
latest message, each ready to insert into the reply box (kefu-assist.js), refreshed live."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kefu.accounts.permissions import Permission
from kefu.conversations import queries
from kefu.conversations.schemas import MAX_MESSAGE_CHARS
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.knowledge import kb_search
from kefu.knowledge import service as knowledge
from kefu.knowledge.placeholders import fill_placeholders
from kefu.web.routing import PageRoute
from kefu.web.viewer import ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SUGGESTIONS = 3


@router.get("/conversations/{conversation_id}/assist")
async def assist(
    conversation_id: IdPath, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    actor = viewer.principal
    message = await queries.latest_customer_message(
        session, actor=actor, conversation_id=conversation_id
    )
    suggestions = []
    if message is not None:
        answers = await kb_search.suggest_answers(
            session, actor=actor, text=message.body, k=SUGGESTIONS
        )
        values = await knowledge.placeholder_values(
            session, actor=actor, conversation_id=conversation_id
        )
        suggestions = [
            {
                "answer": answer,
                "percent": round(answer.relevance * 100),
                # Filled like a canned reply, and never longer than a message may be.
                "body": fill_placeholders(
                    answer.answer_text, values, "en" if answer.language == "en" else "zh"
                )[:MAX_MESSAGE_CHARS],
            }
            for answer in answers
        ]
    return viewer.render(
        request,
        "conversation/_assist.html",
        {
            "conversation_id": conversation_id,
            "message": message,
            "suggestions": suggestions,
            "can_insert": viewer.can(Permission.CONVERSATIONS_REPLY)
            or viewer.can(Permission.CONVERSATIONS_NOTE),
        },
    )
