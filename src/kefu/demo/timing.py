"""When things happen in the demo: daily, weekly and promotion rhythms, and human delays."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and does
# not depend on the machine's tz database.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

# Contacts per hour of the day in China, relative to the daily mean: quiet at night, a morning
# peak around 10-11 h and the evening peak around 20-22 h when people shop from the sofa.
_HOURLY = (
    0.30, 0.16, 0.09, 0.06, 0.05, 0.06, 0.14, 0.35, 0.70, 1.05, 1.45, 1.40,
    1.00, 0.95, 1.15, 1.20, 1.15, 1.00, 0.95, 1.20, 1.55, 1.65, 1.35, 0.75,
)  # fmt: skip
HOURLY = tuple(w * 24 / sum(_HOURLY) for w in _HOURLY)

# Monday carries the weekend's backlog; Sunday evening is a shopping evening.
WEEKDAY = (1.12, 1.02, 0.97, 0.96, 0.93, 0.95, 1.05)


@dataclass(frozen=True, slots=True)
class Promotion:
    name: str
    month: int
    day: int
    # Volume multipliers by days from the promotion day: warm-up, the day, after-sales tail.
    curve: tuple[tuple[int, float], ...]


DOUBLE_11 = Promotion(
    "双11", 11, 11,
    ((-4, 1.2), (-3, 1.3), (-2, 1.5), (-1, 2.0), (0, 4.2), (1, 3.0), (2, 2.3), (3, 1.9),
     (4, 1.6), (5, 1.45), (6, 1.3), (7, 1.2), (8, 1.1)),
)  # fmt: skip
DOUBLE_12 = Promotion("双12", 12, 12, ((-1, 1.3), (0, 2.2), (1, 1.6), (2, 1.3), (3, 1.1)))
MID_YEAR_618 = Promotion("618", 6, 18, ((-2, 1.3), (-1, 1.6), (0, 3.0), (1, 2.0), (2, 1.5)))
PROMOTIONS = (DOUBLE_11, DOUBLE_12, MID_YEAR_618)


@dataclass(frozen=True, slots=True)
class Calendar:
    """Day factors for one window; ``peaks`` are the promotion days that fall inside it."""

    start: date
    end: date
    factors: dict[date, float]
    peaks: dict[date, str]

    def factor(self, day: date) -> float:
        return self.factors.get(day, 1.0) * WEEKDAY[day.weekday()]

    def near(self, day: date) -> tuple[str, int] | None:
        """The promotion around ``day`` and the days since it (negative before), if close."""
        best: tuple[str, int] | None = None
        for peak, name in self.peaks.items():
            offset = (day - peak).days
            if -4 <= offset <= 10 and (best is None or abs(offset) < abs(best[1])):
                best = (name, offset)
        return best

    def promotion_offset(self, day: date) -> int | None:
        found = self.near(day)
        return None if found is None else found[1]

    def promotion_name(self, day: date) -> str | None:
        found = self.near(day)
        return None if found is None else found[0]

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def calendar(start: datetime, end: datetime) -> Calendar:
    """The rhythm between ``start`` and ``end``; without a promotion inside, every day is plain."""
    first, last = china_day(start), china_day(end)
    factors: dict[date, float] = {}
    peaks: dict[date, str] = {}
    for promotion in PROMOTIONS:
        for year in range(first.year, last.year + 1):
            peak = date(year, promotion.month, promotion.day)
            if not first <= peak <= last:
                continue
            peaks[peak] = promotion.name
            for offset, factor in promotion.curve:
                day = peak + timedelta(days=offset)
                factors[day] = max(factors.get(day, 1.0), factor)
    return Calendar(first, last, factors, peaks)


def hour_weights(cal: Calendar, day: date) -> tuple[float, ...]:
    """On a promotion day the sale opens at midnight, so the small hours are busy too."""
    if day not in cal.peaks:
        return HOURLY
    return tuple(w * (5.0 if h < 2 else 1.0) for h, w in enumerate(HOURLY))


def moments_on(rng: random.Random, cal: Calendar, day: date, count: int) -> list[datetime]:
    """``count`` UTC moments on the China-time ``day``, following the hourly rhythm, sorted."""
    hours = rng.choices(range(24), weights=hour_weights(cal, day), k=count)
    midnight = datetime(day.year, day.month, day.day, tzinfo=CHINA)
    moments = [
        (midnight + timedelta(hours=h, seconds=rng.randrange(3600))).astimezone(UTC) for h in hours
    ]
    moments.sort()
    return moments


def daily_count(rng: random.Random, mean: float) -> int:
    """A day's count around ``mean``, noisy like real traffic but never negative."""
    return max(0, round(rng.gauss(mean, math.sqrt(mean) + mean * 0.06)))


def load(cal: Calendar, moment: datetime) -> float:
    """How busy the team is at ``moment`` relative to an average hour (1.0)."""
    local = moment.astimezone(CHINA)
    day = local.date()
    return hour_weights(cal, day)[local.hour] * cal.factor(day)


def is_night(moment: datetime) -> bool:
    return moment.astimezone(CHINA).hour < 8


def next_morning(moment: datetime, rng: random.Random) -> datetime:
    """The start of the next working morning (9-10 h China time) after ``moment``."""
    local = moment.astimezone(CHINA)
    day = local.date() if local.hour < 9 else local.date() + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 9, tzinfo=CHINA)
    return (start + timedelta(seconds=rng.randrange(3600))).astimezone(UTC)


def first_response_delay(rng: random.Random, cal: Calendar, channel: str, at: datetime) -> float:
    """Seconds until an agent first answers: seconds to minutes in chat, hours by e-mail."""
    busy = max(0.6, load(cal, at))
    if channel == "email":
        seconds = rng.lognormvariate(math.log(2.5 * 3600), 0.7) * math.sqrt(busy)
        if is_night(at + timedelta(seconds=seconds)):
            seconds = (next_morning(at, rng) - at).total_seconds() + rng.uniform(600, 5400)
        return seconds
    seconds = rng.lognormvariate(math.log(35), 0.8) * math.pow(busy, 1.6)
    if is_night(at):
        seconds *= 2.5  # a skeleton night shift
    return min(seconds, 3 * 3600)


def reply_gap(rng: random.Random, channel: str, *, customer: bool) -> float:
    """Seconds between two messages later in a conversation."""
    if channel == "email":
        hours = rng.lognormvariate(math.log(5 if customer else 2), 0.8)
        return min(hours, 60) * 3600
    if customer and rng.random() < 0.08:
        return rng.uniform(3600, 20 * 3600)  # came back later, e.g. after checking the parcel
    return rng.lognormvariate(math.log(45 if customer else 30), 0.7)
