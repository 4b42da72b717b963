"""Aspect mentions in customer text: clauses, aspect terms, and the polarity of each mention.

A text is cut into clauses (punctuation, and contrast words such as 但是 / but start a new one).
In each clause the aspect lexicon (`aspect_lexicon`) finds aspect terms, opinion words, negators
and degree words; jieba POS tags add open-vocabulary aspects (a noun right next to an opinion
word). Each opinion word goes to the nearest aspect in its clause, flipped by a negator just
before it (不/没有/不太/not/never ...); an opinion word that names its aspect (便宜 -> price) makes
a mention of its own. An aspect with no opinion word of its own takes the clause's opinion
words; a clause with none at all asks a fallback (by default the shipped sentiment model for
Chinese, the English lexicon for English) and stays neutral when that is unsure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import jieba.posseg

from kefu.analytics import aspect_lexicon as lex
from kefu.bot.sentiment import (
    ChineseSentimentModel,
    english_negative_probability,
    shipped_model,
)
from kefu.bot.text import chinese_share, cut_chinese, normalize

Kind = Literal["aspect", "opinion", "negator", "degree", "noun", "other"]
Basis = Literal["opinion", "clause", "model", "none"]
ClauseSentiment = Callable[[Sequence[str]], list[int]]

# Implicit opinion words general enough to describe the aspect right before them (电池不耐用).
_GENERIC = frozenset({"quality", "usability"})
_COPULAS = lex.COPULAS_EN
_BOUNDARY = re.compile(
    r"[，。！；、,!;\n\r\t…~～]+|\.(?!\d)|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])"
)
_CONTRAST_ZH = re.compile("|".join(lex.CONTRAST_ZH))
_CONTRAST_EN = re.compile(r"\b(?:" + "|".join(sorted(lex.CONTRAST_EN)) + r")\b")
_LATIN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Questions, wishes and expectations state no opinion: their positive words are dropped.
_UNREAL = re.compile(
    r"[吗么呢吧]\??$|\?$|是否|能不能|可不可以|有没有|会不会|是不是|难道|怎么|为什么|为啥|什么时候|"
    r"^希望|^建议|^要是|^如果|^假如|以为|\b(?:if|hope|hopefully|wish|would|should)\b"
)


@dataclass(frozen=True, slots=True)
class AspectMention:
    """One aspect in one clause: its category (or `other` for an open-vocabulary noun), the
    words that named it, +1 / -1 / 0, the clause, and what decided the polarity."""

    category: str
    term: str
    polarity: int
    clause: str
    basis: Basis = "opinion"


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: Kind
    category: str | None = None
    polarity: int = 0


@dataclass(slots=True)
class _Unit:
    text: str
    kind: Kind
    category: str | None = None
    polarity: int = 0
    opinions: list[int] = field(default_factory=list)


@functools.cache
def _entries(chinese: bool) -> dict[str, _Entry]:
    """The lexicon of one language as one dictionary; aspect terms win over opinion words, and
    opinion words over negators and degree words."""
    if chinese:
        words = (lex.DEGREE_ZH, lex.NEGATORS_ZH, lex.POSITIVE_ZH, lex.NEGATIVE_ZH, lex.IMPLICIT_ZH)
    else:
        words = (lex.DEGREE_EN, lex.NEGATORS_EN, lex.POSITIVE_EN, lex.NEGATIVE_EN, lex.IMPLICIT_EN)
    degrees, negators, positive, negative, implicit = words
    entries: dict[str, _Entry] = {word: _Entry("degree") for word in degrees}
    entries.update({word: _Entry("negator") for word in negators})
    entries.update({word: _Entry("opinion") for word in lex.CONTEXT_ONLY})
    entries.update({word: _Entry("opinion", polarity=1) for word in positive})
    entries.update({word: _Entry("opinion", polarity=-1) for word in negative})
    for word, category in implicit.items():
        entries[word] = _Entry("opinion", category, entries.get(word, _Entry("other")).polarity)
    for aspect in lex.CATEGORIES:
        terms = aspect.terms_zh if chinese else aspect.terms_en
        entries.update({term: _Entry("aspect", aspect.key) for term in terms})
    return entries


def _zh_entries() -> dict[str, _Entry]:
    return _entries(True)


def _en_entries() -> dict[str, _Entry]:
    return _entries(False)


@functools.cache
def _longest() -> int:
    """The longest Chinese lexicon entry, in characters."""
    return max(len(word) for word in _zh_entries())


def split_clauses(text: str) -> list[str]:
    """Clauses of a text, normalised: cut at punctuation, line breaks, spaces between Chinese
    characters, and before contrast words (但是/不过/but/however ...), which are dropped."""
    clauses: list[str] = []
    for part in _BOUNDARY.split(normalize(text).replace("?", "?\n")):
        for piece in _CONTRAST_EN.split(_CONTRAST_ZH.sub("\n", part)):
            clauses.extend(c.strip() for c in piece.split("\n") if c.strip())
    return clauses


def _unit(text: str, entry: _Entry | None) -> _Unit:
    if entry is None:
        return _Unit(text, "other")
    return _Unit(text, entry.kind, entry.category, entry.polarity)


def _covered(word: str, entries: dict[str, _Entry]) -> bool:
    """Whether lexicon entries cover every character of a jieba word (很快 = 很 + 快, 不好)."""
    start = 0
    while start < len(word):
        size = next(
            (
                n
                for n in range(min(_longest(), len(word) - start), 0, -1)
                if word[start : start + n] in entries
            ),
            0,
        )
        if not size:
            return False
        start += size
    return True


def _tokens(clause: str) -> list[tuple[int, str, str]]:
    """jieba words of a clause with their offsets and POS flags."""
    cut_chinese("")  # initialises jieba quietly, once, under a lock
    tokens: list[tuple[int, str, str]] = []
    offset = 0
    for pair in jieba.posseg.cut(clause, HMM=False):
        tokens.append((offset, pair.word, pair.flag))
        offset += len(pair.word)
    return tokens


def _match(clause: str, at: int, owner: tuple[int, str, str], ends: frozenset[int]) -> int:
    """Length of the lexicon entry starting at `at`, longest first, 0 for none. An entry may not
    cross a jieba word boundary and end inside the next word (很好|吃 in 很/好吃). A one-character
    entry counts only when its jieba word is made of entries (很快, 不好), so 好 is not read into
    好像 nor 快 into 快乐."""
    entries = _zh_entries()
    for size in range(min(_longest(), len(clause) - at), 1, -1):
        end = at + size
        crosses = any(at < cut < end for cut in ends)
        if clause[at:end] in entries and (end in ends or not crosses):
            return size
    _, word, _ = owner
    return 1 if clause[at] in entries and _covered(word, entries) else 0


def _gap_units(tokens: list[tuple[int, str, str]], start: int, end: int) -> list[_Unit]:
    """Words between lexicon matches: nouns (open-vocabulary aspects) or other words."""
    units: list[_Unit] = []
    for offset, word, flag in tokens:
        if offset < start or offset + len(word) > end or not word.strip():
            continue
        noun = flag == "n" and _open_noun(word)
        units.append(_Unit(word, "noun" if noun else "other"))
    return units or [_Unit("", "other")]


def _zh_units(clause: str) -> list[_Unit]:
    """Lexicon units of a Chinese clause by forward maximum matching, jieba words between."""
    entries, english = _zh_entries(), _en_entries()
    tokens = _tokens(clause)
    owners = [token for token in tokens for _ in token[1]]
    ends = frozenset(offset + len(word) for offset, word, _ in tokens)
    units: list[_Unit] = []
    at = gap = 0
    while at < len(clause):
        latin = _LATIN.match(clause, at)
        size = latin.end() - at if latin else _match(clause, at, owners[at], ends)
        if not size:
            at += 1
            continue
        if gap < at:
            units.extend(_gap_units(tokens, gap, at))
        text = clause[at : at + size]
        units.append(_unit(text, english.get(text) if latin else entries[text]))
        at = gap = at + size
    if gap < len(clause):
        units.extend(_gap_units(tokens, gap, len(clause)))
    return units


def _open_noun(word: str) -> bool:
    return len(word) >= 2 and word not in lex.NOT_ASPECTS and word not in lex.STOPWORDS_ZH


def _en_units(clause: str) -> list[_Unit]:
    entries = _en_entries()
    words = _LATIN.findall(clause)
    units: list[_Unit] = []
    index = 0
    while index < len(words):
        for span in (3, 2, 1):
            joined = " ".join(words[index : index + span])
            if index + span <= len(words) and joined in entries:
                units.append(_unit(joined, entries[joined]))
                index += span
                break
        else:
            word = words[index]
            index += 1
            follows = words[index] if index < len(words) else ""
            noun = (
                follows in _COPULAS
                and len(word) >= 3
                and word.isalpha()
                and word not in lex.STOPWORDS_EN
                and word not in lex.NOT_ASPECTS
            )
            units.append(_Unit(word, "noun" if noun else "other"))
    return units


def _negated(units: list[_Unit], at: int) -> bool:
    """Whether the opinion at `at` is negated: an odd number of negators among the degree
    words before it, allowing one other word in between (不是很好, isn't very good)."""
    flips, fillers = 0, 0
    for unit in reversed(units[max(0, at - 4) : at]):
        if unit.kind == "negator":
            flips += 1
        elif unit.kind == "other" and fillers == 0:
            fillers += 1
        elif unit.kind != "degree":
            break
    return flips % 2 == 1


def _polarity(opinion: _Unit, anchor: _Unit | None, negated: bool) -> int:
    polarity = opinion.polarity
    if anchor is not None:
        for key in (anchor.text, anchor.category or ""):
            if (key, opinion.text) in lex.OVERRIDES:
                polarity = lex.OVERRIDES[(key, opinion.text)]
                break
    return -polarity if negated else polarity


def _anchor(units: list[_Unit], at: int, category: str | None) -> int | None:
    """The aspect an opinion word belongs to: the nearest aspect of its own category when it
    names one, else the nearest aspect (ties: the one before it), or a noun right before it."""
    candidates = [
        (abs(index - at), index > at, index)
        for index, unit in enumerate(units)
        if unit.kind == "aspect" and (category is None or unit.category == category)
    ]
    if candidates:
        return min(candidates)[2]
    return None if category else _noun_before(units, at)


def _noun_before(units: list[_Unit], at: int) -> int | None:
    """An open-vocabulary noun right before an opinion word, degree words and negators
    between (拉链很差)."""
    for index in range(at - 1, max(-1, at - 4), -1):
        if units[index].kind == "noun":
            return index
        if units[index].kind not in ("degree", "negator") and units[index].text not in _COPULAS:
            return None
    return None


def _just_before(units: list[_Unit], at: int) -> int | None:
    """The aspect right before an opinion word, with only degree words or negators between
    (电池不耐用: 不耐用 names quality, but here it is said of the battery)."""
    for index in range(at - 1, max(-1, at - 4), -1):
        if units[index].kind == "aspect":
            return index
        if units[index].kind not in ("degree", "negator"):
            return None
    return None


def _attach_opinions(units: list[_Unit], question: bool) -> list[_Unit]:
    """Give each opinion word to its aspect; returns the implicit mentions (便宜 -> price)."""
    implicit: list[_Unit] = []
    for at, unit in enumerate(units):
        if unit.kind != "opinion":
            continue
        target = _anchor(units, at, unit.category)
        if target is None and unit.category in _GENERIC:
            target = _just_before(units, at)
        anchor = units[target] if target is not None else None
        polarity = _polarity(unit, anchor, _negated(units, at))
        if polarity == 0 or (question and polarity > 0):
            continue
        if anchor is not None:
            anchor.opinions.append(polarity)
        elif unit.category is not None:
            implicit.append(_Unit(unit.text, "aspect", unit.category, opinions=[polarity]))
        else:
            implicit.append(_Unit(unit.text, "other", opinions=[polarity]))
    return implicit


def _sign(values: Sequence[int]) -> int:
    total = sum(values)
    return (total > 0) - (total < 0)


def _clause_mentions(clause: str) -> list[AspectMention]:
    """Mentions of one clause; those with basis "model" still need the fallback's polarity."""
    chinese = chinese_share([clause]) > 0.3
    units = _zh_units(clause) if chinese else _en_units(clause)
    question = bool(_UNREAL.search(clause))
    extra = _attach_opinions(units, question)
    every = [p for u in units + extra for p in u.opinions]
    mentions: dict[str, AspectMention] = {}
    for unit in units + extra:
        if unit.kind == "noun" and unit.opinions and _sign(unit.opinions):
            key = f"{lex.OTHER}:{unit.text}"
            mentions.setdefault(
                key, AspectMention(lex.OTHER, unit.text, _sign(unit.opinions), clause)
            )
        if unit.kind != "aspect" or unit.category is None:
            continue
        basis: Basis = (
            "opinion" if unit.opinions else "clause" if every else "none" if question else "model"
        )
        polarity = _sign(unit.opinions or every)
        known = mentions.get(unit.category)
        if known is None or (known.basis != "opinion" and basis == "opinion"):
            mentions[unit.category] = AspectMention(
                unit.category, unit.text, polarity, clause, basis
            )
    return list(mentions.values())


@dataclass(frozen=True)
class SentimentFallback:
    """Clause polarity from a sentiment model: -1 at or above `negative_at` P(negative), +1 at
    or below `positive_at`, else 0. Chinese clauses go to `model` (the shipped one if None)."""

    model: ChineseSentimentModel | None = None
    negative_at: float = 0.9
    positive_at: float = 0.1

    def __call__(self, clauses: Sequence[str]) -> list[int]:
        chinese = [chinese_share([c]) > 0.3 for c in clauses]
        zh = [c for c, is_zh in zip(clauses, chinese, strict=True) if is_zh]
        scores = iter((self.model or shipped_model()).negative_probability(zh)) if zh else iter([])
        verdicts: list[int] = []
        for clause, is_zh in zip(clauses, chinese, strict=True):
            negative = float(next(scores)) if is_zh else english_negative_probability(clause)
            verdicts.append(
                -1 if negative >= self.negative_at else 1 if negative <= self.positive_at else 0
            )
        return verdicts


shipped_fallback: ClauseSentiment = SentimentFallback()


def _fill(mention: AspectMention, polarity: int) -> AspectMention:
    basis: Basis = "model" if polarity else "none"
    return AspectMention(mention.category, mention.term, polarity, mention.clause, basis)


def extract_many(
    texts: Sequence[str], *, fallback: ClauseSentiment | None = shipped_fallback
) -> list[list[AspectMention]]:
    """Aspect mentions of each text. Clauses with aspects but no opinion word go to `fallback`
    in one batch (default: the shipped models); with `fallback=None` they stay at 0."""
    found = [
        [m for clause in split_clauses(text) for m in _clause_mentions(clause)] for text in texts
    ]
    pending = sorted({m.clause for ms in found for m in ms if m.basis == "model"})
    verdicts = dict(zip(pending, fallback(pending) if fallback and pending else [], strict=False))
    return [
        [_fill(m, verdicts.get(m.clause, 0)) if m.basis == "model" else m for m in ms]
        for ms in found
    ]


def extract_aspects(
    text: str, *, fallback: ClauseSentiment | None = shipped_fallback
) -> list[AspectMention]:
    """Aspect mentions of one text (see `extract_many`)."""
    return extract_many([text], fallback=fallback)[0]
