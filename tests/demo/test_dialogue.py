"""The demo's dialogue corpora and script writer, without a database."""

from __future__ import annotations

import random
import string

import pytest

from kefu.demo.dialogue import MAX_MESSAGES, ScriptPlan, Speaker, write_script
from kefu.demo.facts import keys_for
from kefu.demo.texts_en import ENGLISH
from kefu.demo.texts_zh import APPAREL_ZH, ELECTRONICS_ZH
from kefu.demo.topic import Corpus, OrderNeed, Topic

# A conversation about a delivered order knows every fact there is.
EVERY_FACT = dict.fromkeys(keys_for(OrderNeed.DELIVERED), "x")
CORPORA = {"electronics": ELECTRONICS_ZH, "apparel": APPAREL_ZH, "english": ENGLISH}


def _templates(corpus: Corpus, topic: Topic) -> list[str]:
    texts = [*topic.subjects, *topic.openers, *topic.replies]
    texts += [text for pair in topic.exchanges for text in pair]
    texts += [note for note, _ in topic.notes]
    texts += [*corpus.bot_greetings, *corpus.bot_handoffs, *corpus.agent_intros]
    texts += [*corpus.agent_closings, *corpus.customer_closings]
    for department in {d for _, d in topic.notes if d}:
        texts += corpus.department_answers[department]
    return texts


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _cases() -> list[tuple[str, Corpus, Topic]]:
    return [
        (f"{name}-{topic.key}", corpus, topic)
        for name, corpus in CORPORA.items()
        for topic in corpus.topics
    ]


@pytest.mark.parametrize(("name", "corpus", "topic"), _cases(), ids=lambda x: str(x)[:20])
def test_templates_use_only_facts_their_topic_has(name: str, corpus: Corpus, topic: Topic) -> None:
    allowed = keys_for(topic.needs)
    for template in _templates(corpus, topic):
        assert _fields(template) <= allowed, (name, template)


@pytest.mark.parametrize("length", range(1, 15))
def test_scripts_have_the_length_asked_within_bounds(length: int) -> None:
    rng = random.Random(length)
    facts = EVERY_FACT
    for topic in ELECTRONICS_ZH.topics:
        for channel in ("web", "email"):
            plan = ScriptPlan(topic, facts, length, channel, with_bot=True, with_note=True)
            lines = write_script(rng, ELECTRONICS_ZH, plan).lines
            assert 2 <= len(lines) <= min(MAX_MESSAGES, max(2, length))
            speakers = [line.speaker for line in lines]
            assert Speaker.CUSTOMER in speakers and Speaker.AGENT in speakers
            if channel == "email":
                assert Speaker.BOT not in speakers


def test_the_customer_speaks_first_unless_a_bot_greets() -> None:
    rng = random.Random(1)
    facts = EVERY_FACT
    for with_bot in (True, False):
        plan = ScriptPlan(ELECTRONICS_ZH.topics[0], facts, 8, "web", with_bot, with_note=False)
        first = write_script(rng, ELECTRONICS_ZH, plan).lines[0].speaker
        assert first is (Speaker.BOT if with_bot else Speaker.CUSTOMER)


def test_no_doubled_greeting_in_agent_lines() -> None:
    rng = random.Random(3)
    facts = EVERY_FACT
    for _ in range(300):
        topic = rng.choice(APPAREL_ZH.topics)
        plan = ScriptPlan(topic, facts, 12, rng.choice(("web", "email")), False, False)
        for line in write_script(rng, APPAREL_ZH, plan).lines:
            assert "亲，亲" not in line.text and "您好，您好" not in line.text
