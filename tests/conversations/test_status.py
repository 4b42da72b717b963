"""The pure status machine."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kefu.conversations.status import ALLOWED, Status, can_transition, status_after_customer_message


def test_resolved_and_closed_conversations_can_be_reopened() -> None:
    assert can_transition(Status.RESOLVED, Status.OPEN)
    assert can_transition(Status.CLOSED, Status.OPEN)


def test_open_conversation_cannot_jump_to_closed() -> None:
    assert not can_transition(Status.OPEN, Status.CLOSED)
    assert not can_transition(Status.PENDING, Status.CLOSED)


@given(st.lists(st.sampled_from(list(Status)), max_size=30))
def test_any_walk_of_allowed_moves_can_always_get_back_to_open(path: list[Status]) -> None:
    current = Status.OPEN
    for target in path:
        if can_transition(current, target):
            current = target
    # Every state reaches OPEN in at most two moves (closed/resolved/pending: one).
    assert current is Status.OPEN or Status.OPEN in ALLOWED[current]


@given(st.sampled_from(list(Status)))
def test_customer_message_always_leaves_conversation_open(status: Status) -> None:
    assert status_after_customer_message(status) is Status.OPEN
