"""Turns a topic and its facts into the lines of one conversation; pure, no times, no ids."""

from __future__ import annotations

import random
from collections import ChainMap
from collections.abc import MutableMapping
from dataclasses import dataclass
from enum import StrEnum

from kefu.demo.topic import Corpus, Topic
from kefu.demo.weighted import Weighted

MAX_MESSAGES = 12
# How many messages conversations have: mostly short, a tail of long ones.
LENGTHS = Weighted(
    {2: 8, 3: 9, 4: 15, 5: 13, 6: 14, 7: 10, 8: 9, 9: 7, 10: 6, 11: 4, 12: 5}.items()
)
EMAIL_MAX = 6


class Speaker(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    NOTE = "note"  # internal note by the agent
    DEPARTMENT = "department"  # internal answer by department staff


@dataclass(frozen=True, slots=True)
class Line:
    speaker: Speaker
    text: str
    department: str = ""


@dataclass(frozen=True, slots=True)
class ScriptPlan:
    topic: Topic
    facts: MutableMapping[str, str]
    length: int
    channel: str
    with_bot: bool
    with_note: bool


@dataclass(frozen=True, slots=True)
class Script:
    subject: str
    lines: list[Line]


def pick_length(rng: random.Random, channel: str) -> int:
    length = LENGTHS.pick(rng)
    return min(length, EMAIL_MAX) if channel == "email" else length


def write_script(rng: random.Random, corpus: Corpus, plan: ScriptPlan) -> Script:
    """The conversation's lines, ``plan.length`` of them at most (never fewer than two)."""
    pen = _Pen(rng, corpus, plan.facts, email=plan.channel == "email")
    topic, bot = plan.topic, plan.with_bot and not pen.email  # no bot answers letters
    budget = max(2, min(plan.length, MAX_MESSAGES))
    head: list[Line] = []
    if bot and budget >= 4:
        head.append(pen.bot(corpus.bot_greetings))
    head.append(pen.customer(rng.choice(topic.openers)))
    if bot and budget >= 5:
        head.append(pen.bot(corpus.bot_handoffs))
    head.append(pen.first_reply(topic))
    spare = budget - len(head)
    notes = pen.notes(topic)[:spare] if plan.with_note and spare >= 1 else []
    room = budget - len(head) - len(notes)
    closing = pen.closing(room)
    pairs = min(len(topic.exchanges), max(0, room - len(closing)) // 2)
    middle: list[Line] = []
    for asked, answered in rng.sample(topic.exchanges, pairs):
        middle.append(pen.customer(asked, opening=False))
        middle.append(pen.agent(answered))
    lines = head + notes + middle + closing
    if pen.email:
        lines = [pen.as_email(line) for line in lines]
    return Script(subject=rng.choice(topic.subjects).format_map(plan.facts), lines=lines)


_GREETED = ("亲", "您好", "你好", "Hi", "Hello")


class _Pen:
    """Writes single lines in one conversation's voice, filling in its facts."""

    def __init__(
        self, rng: random.Random, corpus: Corpus, facts: MutableMapping[str, str], *, email: bool
    ) -> None:
        self.rng, self.corpus, self.facts, self.email = rng, corpus, facts, email

    def _opening(self, choices: tuple[str, ...], text: str) -> str:
        """A chatty "亲，" in front, unless the text greets already or this is a letter."""
        if self.email or text.startswith(_GREETED):
            return text
        return self.rng.choice(choices) + text

    def bot(self, choices: tuple[str, ...]) -> Line:
        return Line(Speaker.BOT, self.rng.choice(choices).format_map(self.facts))

    def customer(self, text: str, *, opening: bool = True) -> Line:
        body = text.format_map(self.facts)
        if opening:
            body = self._opening(self.corpus.customer_prefixes, body)
        return Line(Speaker.CUSTOMER, body)

    def agent(self, text: str) -> Line:
        body = text.format_map(self.facts)
        return Line(Speaker.AGENT, self._opening(self.corpus.agent_prefixes, body))

    def first_reply(self, topic: Topic) -> Line:
        reply = self.rng.choice(topic.replies).format_map(self.facts)
        if self.rng.random() < 0.4 and not self.email:
            intro = self.rng.choice(self.corpus.agent_intros).format_map(self.facts)
            joiner = "" if intro[-1] in "。~！" else " "
            return Line(Speaker.AGENT, intro + joiner + reply)
        return Line(Speaker.AGENT, self._opening(self.corpus.agent_prefixes, reply))

    def notes(self, topic: Topic) -> list[Line]:
        """An internal note after the first reply; a department sometimes answers it."""
        if not topic.notes:
            return []
        text, department = self.rng.choice(topic.notes)
        notes = [Line(Speaker.NOTE, text.format_map(self.facts), department)]
        if department and self.rng.random() < 0.6:
            answers = self.corpus.department_answers[department]
            notes.append(Line(Speaker.DEPARTMENT, self.rng.choice(answers).format_map(self.facts),
                              department))  # fmt: skip
        return notes

    def closing(self, room: int) -> list[Line]:
        """Thanks and goodbye; an odd room leaves only the goodbye, so the turns stay paired."""
        if room <= 0:
            return []
        goodbye = self.rng.choice(self.corpus.agent_closings).format_map(self.facts)
        bye = Line(Speaker.AGENT, goodbye)
        if room % 2 == 1:
            return [bye]
        return [Line(Speaker.CUSTOMER, self.rng.choice(self.corpus.customer_closings)), bye]

    def as_email(self, line: Line) -> Line:
        if line.speaker is Speaker.CUSTOMER:
            letter = self.corpus.email_customer
        elif line.speaker is Speaker.AGENT:
            letter = self.corpus.email_agent
        else:
            return line
        text = letter.format_map(ChainMap({"body": line.text}, self.facts))
        return Line(line.speaker, text, line.department)
