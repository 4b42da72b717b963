"""What SLA tracking needs to know about one conversation, as a plain value built by its owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    conversation_id: int
    shop_id: int
    channel: str  # "web" | "email" | "im"
    priority: str  # "low" | "normal" | "high" | "urgent"
    customer_level: int  # VIP level, 0 = none
    status: str  # "open" | "pending" | "resolved" | "closed"
    # When the status last changed: pauses and resumes are stamped then when known, else at now.
    status_changed_at: datetime | None
    # When it started waiting for people (None: the bot is handling it / not yet for humans).
    queued_at: datetime | None
    first_response_at: datetime | None  # the first public agent reply
    # The oldest customer message an agent has not answered yet (None: no reply is owed).
    awaiting_reply_since: datetime | None
    last_agent_reply_at: datetime | None
    resolved_at: datetime | None
    complaint_since: datetime | None  # when it was classified a complaint (None: it is not)
