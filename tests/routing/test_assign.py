"""The router's pure core: who takes a conversation, in which order waiting ones are served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.routing import assign
from kefu.routing.assign import CHAT_UNITS, Agent, Need, Strategy, Waiting

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def agent(user_id: int, *, tier: int = 0, chats: int = 3, load: int = 0, **kw: object) -> Agent:
    skills = kw.pop("skills", {1: 3})
    assert isinstance(skills, dict)
    idle = kw.pop("idle", None)
    assert idle is None or isinstance(idle, datetime)
    return Agent(
        user_id=user_id,
        tier=tier,
        capacity=chats * CHAT_UNITS,
        load=load * CHAT_UNITS,
        skills=skills,
        last_assigned_at=idle,
    )


def test_least_loaded_agent_gets_the_conversation() -> None:
    agents = [agent(1, load=2), agent(2, load=1), agent(3, load=2)]
    chosen = assign.choose(agents, Need(queue_id=1), Strategy.LEAST_LOADED)
    assert chosen is not None and chosen.user_id == 2


def test_longest_idle_agent_gets_the_conversation() -> None:
    agents = [
        agent(1, idle=T0 - timedelta(minutes=1)),
        agent(2, load=2, idle=T0 - timedelta(minutes=9)),
        agent(3, idle=T0 - timedelta(minutes=5)),
    ]
    chosen = assign.choose(agents, Need(queue_id=1), Strategy.LONGEST_IDLE)
    assert chosen is not None and chosen.user_id == 2


def test_generalists_serve_every_queue_and_queueless_conversations_go_to_anyone() -> None:
    generalist = Agent(1, 0, 3 * CHAT_UNITS, 0, {}, generalist=True)
    specialist = agent(2, skills={2: 5})
    assert assign.choose([generalist], Need(queue_id=7), Strategy.LEAST_LOADED) is generalist
    chosen = assign.choose([specialist], Need(queue_id=assign.NO_QUEUE), Strategy.LEAST_LOADED)
    assert chosen is specialist


def test_agent_without_the_skill_or_room_is_never_chosen() -> None:
    agents = [agent(1, skills={2: 5}), agent(2, load=3)]
    assert assign.choose(agents, Need(queue_id=1), Strategy.LEAST_LOADED) is None


def test_router_serves_the_lowest_tier_first_and_falls_back_to_higher_ones() -> None:
    junior, senior = agent(1, tier=0, load=2), agent(2, tier=1)
    chosen = assign.choose([senior, junior], Need(queue_id=1), Strategy.LEAST_LOADED)
    assert chosen is junior
    full_junior = agent(1, tier=0, load=3)
    chosen = assign.choose([senior, full_junior], Need(queue_id=1), Strategy.LEAST_LOADED)
    assert chosen is senior


def test_escalated_conversation_skips_juniors() -> None:
    agents = [agent(1, tier=0), agent(2, tier=2, load=2)]
    chosen = assign.choose(agents, Need(queue_id=1, min_tier=1), Strategy.LEAST_LOADED)
    assert chosen is not None and chosen.user_id == 2


def test_email_weighs_less_than_a_chat() -> None:
    assert assign.weight("email", 0.5) == CHAT_UNITS // 2
    assert assign.weight("web", 0.5) == CHAT_UNITS
    nearly_full = Agent(1, 0, 3 * CHAT_UNITS, 3 * CHAT_UNITS - 50, {1: 3})
    assert assign.choose([nearly_full], Need(1, units=50), Strategy.LEAST_LOADED) is nearly_full
    assert assign.choose([nearly_full], Need(1, units=100), Strategy.LEAST_LOADED) is None


def test_queue_order_is_vip_then_anger_then_sla_then_waiting_time() -> None:
    need = Need(queue_id=1)
    plain = Waiting(1, need, queued_at=T0)
    older = Waiting(2, need, queued_at=T0 - timedelta(minutes=5))
    due = Waiting(3, need, queued_at=T0, sla_due_at=T0 + timedelta(minutes=1))
    angry = Waiting(4, need, queued_at=T0, angry=True)
    vip = Waiting(5, need, queued_at=T0, customer_level=3)
    order = [w.conversation_id for w in assign.in_order([plain, older, due, angry, vip])]
    assert order == [5, 4, 3, 2, 1]


agents_strategy = st.lists(
    st.builds(
        Agent,
        user_id=st.integers(1, 10_000),
        tier=st.integers(0, 2),
        capacity=st.integers(0, 6).map(lambda n: n * CHAT_UNITS),
        load=st.integers(0, 8 * CHAT_UNITS),
        skills=st.dictionaries(st.integers(1, 4), st.integers(1, 5), max_size=4),
        last_assigned_at=st.none() | st.datetimes(timezones=st.just(UTC)),
        generalist=st.booleans(),
    ),
    max_size=25,
    unique_by=lambda a: a.user_id,
)
waiting_strategy = st.lists(
    st.builds(
        Waiting,
        conversation_id=st.integers(1, 100_000),
        need=st.builds(
            Need,
            queue_id=st.integers(1, 4),
            min_tier=st.integers(0, 2),
            units=st.sampled_from([50, CHAT_UNITS]),
        ),
        queued_at=st.datetimes(timezones=st.just(UTC)),
        customer_level=st.integers(0, 5),
        angry=st.booleans(),
        sla_due_at=st.none() | st.datetimes(timezones=st.just(UTC)),
    ),
    max_size=60,
    unique_by=lambda w: w.conversation_id,
)


@settings(max_examples=300)
@given(waiting=waiting_strategy, agents=agents_strategy, strategy=st.sampled_from(Strategy))
def test_plan_never_puts_an_agent_over_capacity(
    waiting: list[Waiting], agents: list[Agent], strategy: Strategy
) -> None:
    result = assign.plan(waiting, agents, strategy, T0)
    by_agent = {a.user_id: a for a in agents}
    needs = {w.conversation_id: w.need for w in waiting}
    added: dict[int, int] = {}
    for conversation_id, user_id in result.assignments:
        need = needs[conversation_id]
        chosen = by_agent[user_id]
        assert need.queue_id in chosen.skills or chosen.generalist
        assert chosen.tier >= need.min_tier
        added[user_id] = added.get(user_id, 0) + need.units
    for user_id, units in added.items():
        original = by_agent[user_id]
        assert original.load + units <= original.capacity


@settings(max_examples=300)
@given(waiting=waiting_strategy, agents=agents_strategy, strategy=st.sampled_from(Strategy))
def test_plan_assigns_each_conversation_once_and_leaves_only_unservable_ones(
    waiting: list[Waiting], agents: list[Agent], strategy: Strategy
) -> None:
    result = assign.plan(waiting, agents, strategy, T0)
    assigned = [c for c, _ in result.assignments]
    assert len(assigned) == len(set(assigned))
    assert sorted(assigned + result.left) == sorted(w.conversation_id for w in waiting)
    # Whoever is left could not fit with any agent once the plan's assignments are counted.
    loads = {a.user_id: a.load for a in agents}
    needs = {w.conversation_id: w.need for w in waiting}
    for conversation_id, user_id in result.assignments:
        loads[user_id] += needs[conversation_id].units
    for conversation_id in result.left:
        need = needs[conversation_id]
        for a in agents:
            fits = (need.queue_id in a.skills or a.generalist) and a.tier >= need.min_tier
            assert not (fits and loads[a.user_id] + need.units <= a.capacity)


@settings(max_examples=300)
@given(agents=agents_strategy, strategy=st.sampled_from(Strategy), queue=st.integers(1, 4))
def test_choose_picks_from_the_lowest_tier_with_room(
    agents: list[Agent], strategy: Strategy, queue: int
) -> None:
    need = Need(queue_id=queue)
    chosen = assign.choose(agents, need, strategy)
    fits = [a for a in agents if assign.qualified(a, need)]
    if not fits:
        assert chosen is None
        return
    assert chosen is not None and chosen.tier == min(a.tier for a in fits)
    assert assign.ranked(agents, need, strategy)[0] == chosen
