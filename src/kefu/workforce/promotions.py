"""The promotion calendar (618, 双11 and a shop's own sale days) and the uplift each brings.

An uplift is learned per event name as the ratio of the calls actually received on its past
days to what the baseline forecast, fitted on the data before each day, expected. It then
multiplies the baseline on the event's future days. With no past day in the history there is
nothing to learn from, and no uplift is applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

DEFAULT_EVENTS: tuple[tuple[str, int, int], ...] = (("618", 6, 18), ("双11", 11, 11))
"""(name, month, day) of the marketplace sales every year: 618 (JD.com's anniversary sale on
June 18) and 双11 (Singles' Day, November 11)."""


@dataclass(frozen=True)
class Promotion:
    day: date
    name: str


@dataclass(frozen=True)
class Uplift:
    """What an event did to volume: ``factor`` (None when nothing could be learned), the past
    days it was learned from and the forecast days it was applied to."""

    name: str
    factor: float | None
    learned_from: tuple[date, ...]
    applied_to: tuple[date, ...]

    @property
    def note(self) -> str:
        if self.factor is None and not self.learned_from:
            return f"{self.name}: no past occurrence in the history, no uplift applied"
        if self.factor is None:
            return (
                f"{self.name}: the baseline expected no calls on its past days, no uplift applied"
            )
        return (
            f"{self.name}: uplift x{self.factor:.2f} learned from "
            f"{', '.join(day.isoformat() for day in self.learned_from)}"
        )


def default_promotions(first: date, last: date) -> tuple[Promotion, ...]:
    """The default events on every day between ``first`` and ``last`` (inclusive)."""
    return tuple(
        Promotion(date(year, month, day), name)
        for year in range(first.year, last.year + 1)
        for name, month, day in DEFAULT_EVENTS
        if first <= date(year, month, day) <= last
    )


def merge(*calendars: Iterable[Promotion]) -> tuple[Promotion, ...]:
    """The events of every calendar, each (day, name) once, in date order."""
    return tuple(sorted({p for calendar in calendars for p in calendar}, key=_order))


def _order(promotion: Promotion) -> tuple[date, str]:
    return promotion.day, promotion.name


def by_name(promotions: Iterable[Promotion]) -> dict[str, list[date]]:
    """Event days grouped by name, each list in date order."""
    grouped: dict[str, list[date]] = {}
    for promotion in sorted(promotions, key=_order):
        grouped.setdefault(promotion.name, []).append(promotion.day)
    return grouped


def uplift_factor(actual: Iterable[float], baseline: Iterable[float]) -> float | None:
    """Total actual over total baseline calls on an event's past days; None when the baseline
    expected none (a ratio to nothing says nothing)."""
    expected = sum(baseline)
    if expected <= 0:
        return None
    return sum(actual) / expected
