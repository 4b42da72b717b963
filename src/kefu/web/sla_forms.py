"""The SLA settings forms as people type them: opening hours as ``09:00-18:00`` text, holidays
as dates, targets in minutes or hours; turned into the domain's inputs and back again."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date

from pydantic import ValidationError

from kefu.shared.errors import KefuError
from kefu.sla.models import SlaCalendar, SlaPolicy
from kefu.sla.policy import CHANNELS, PRIORITIES
from kefu.sla.schemas import CalendarIn, PolicyIn, Window, to_hhmm
from kefu.web.i18n import CATALOG

# Asia/Shanghai first: most shops are in China; then the zones their customers live in.
TIMEZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Bangkok",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)
METRICS = ("first_response", "next_response", "resolution", "feedback")
UNITS = {"minutes": 60, "hours": 3600}
DAYS = range(7)
_SPLIT_WINDOWS = re.compile(r"[,，;；、]+")
_SPLIT_ENDS = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
_SPLIT_DATES = re.compile(r"[\s,，;；、]+")
Values = dict[str, object]


class FormError(Exception):
    """A field that cannot be read; ``key`` is the catalog key saying why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def error_of(exc: Exception) -> FormError:
    """The translated reason for a form that did not validate or a refusal of the service."""
    if isinstance(exc, FormError):
        return exc
    if isinstance(exc, KefuError):
        key = f"sla.error.{exc.code}"
        if exc.code == "sla_calendar_in_use":
            details = exc.details if isinstance(exc.details, dict) else {}
            return FormError(key, n=details.get("policies", 1))
        return FormError(key if key in CATALOG else "sla.error.generic")
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            if field.endswith("_seconds"):
                return FormError("sla.error.target")
            if field == "weekly":
                return FormError("sla.error.hours")
            if f"sla.error.{field}" in CATALOG:
                return FormError(f"sla.error.{field}")
    return FormError("sla.error.generic")


# ---- calendars ---------------------------------------------------------------------------


def _hhmm(text: str) -> str:
    match = _TIME.match(text.strip())
    if match is None:
        raise FormError("sla.error.hours")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_day(text: str) -> list[Window]:
    """``09:00-12:00, 13:00-18:00`` as windows; blank is a closed day."""
    windows = []
    for part in _SPLIT_WINDOWS.split(text.strip()):
        if not part.strip():
            continue
        ends = _SPLIT_ENDS.split(part.strip())
        if len(ends) != 2:
            raise FormError("sla.error.hours")
        try:
            windows.append(Window(start=_hhmm(ends[0]), end=_hhmm(ends[1])))
        except ValidationError:
            raise FormError("sla.error.hours") from None
    return windows


def day_text(day: Sequence[Sequence[int]]) -> str:
    return ", ".join(f"{to_hhmm(start)}-{to_hhmm(end)}" for start, end in day)


def parse_holidays(text: str) -> list[date]:
    try:
        return [date.fromisoformat(word) for word in _SPLIT_DATES.split(text) if word]
    except ValueError:
        raise FormError("sla.error.holidays") from None


def calendar_form(sent: Mapping[str, str]) -> Values:
    """A calendar form's fields as typed."""
    return {
        "name": sent.get("name", "").strip(),
        "timezone": sent.get("timezone", "").strip(),
        "days": [sent.get(f"day{d}", "").strip() for d in DAYS],
        "holidays": sent.get("holidays", "").strip(),
        "is_default": sent.get("is_default") == "true",
    }


def calendar_values(row: SlaCalendar | None) -> Values:
    """A calendar's fields as its form shows them; a new one opens 09:00-18:00 on weekdays."""
    if row is None:
        weekdays = ["09:00-18:00"] * 5 + ["", ""]
        return {"id": None, "name": "", "timezone": TIMEZONES[0], "days": weekdays,
                "holidays": "", "is_default": False, "error": None}  # fmt: skip
    return {
        "id": row.id,
        "name": row.name,
        "timezone": row.timezone,
        "days": [day_text(day) for day in row.weekly],
        "holidays": "\n".join(row.holidays),
        "is_default": row.is_default,
        "error": None,
    }


def calendar_input(form: Values) -> CalendarIn:
    """Raises FormError or ValidationError."""
    days = form["days"]
    assert isinstance(days, list)
    return CalendarIn.model_validate(
        {
            "name": form["name"],
            "timezone": form["timezone"],
            "weekly": [parse_day(text) for text in days],
            "holidays": parse_holidays(str(form["holidays"])),
            "is_default": form["is_default"],
        }
    )


# ---- policies ----------------------------------------------------------------------------


def target_fields(seconds: int | None) -> tuple[str, str]:
    """A target as the form shows it: whole hours in hours, anything else in minutes."""
    if seconds is None:
        return "", "minutes"
    if seconds % 3600 == 0:
        return str(seconds // 3600), "hours"
    minutes = seconds / 60
    return (str(int(minutes)) if minutes.is_integer() else f"{minutes:g}"), "minutes"


def target_seconds(value: str, unit: str) -> int | None:
    """Blank: not tracked."""
    if not value.strip():
        return None
    try:
        amount = float(value.strip())
    except ValueError:
        raise FormError("sla.error.target") from None
    if not math.isfinite(amount) or round(amount * UNITS.get(unit, 60)) < 1:
        raise FormError("sla.error.target")
    return round(amount * UNITS.get(unit, 60))


def policy_form(sent: Mapping[str, str], lists: Mapping[str, list[str]]) -> Values:
    """A policy form's fields as typed; ``lists`` holds the ticked priorities and channels."""
    form: Values = {
        name: sent.get(name, "").strip()
        for name in ("name", "position", "min_customer_level", "calendar_id", "warn_percent")
    }
    form["priorities"] = [p for p in PRIORITIES if p in lists.get("priorities", [])]
    form["channels"] = [c for c in CHANNELS if c in lists.get("channels", [])]
    form["business_hours"] = sent.get("business_hours") == "true"
    form["enabled"] = sent.get("enabled") == "true"
    for metric in METRICS:
        form[f"{metric}_value"] = sent.get(f"{metric}_value", "").strip()
        form[f"{metric}_unit"] = sent.get(f"{metric}_unit", "minutes")
    return form


def policy_values(row: SlaPolicy | None) -> Values:
    """A policy's fields as its form shows them; a new one has the domain's defaults."""
    if row is None:
        data = PolicyIn.model_construct(name="").model_dump()
    else:
        data = {name: getattr(row, name) for name in PolicyIn.model_fields}
    form: Values = {
        "id": None if row is None else row.id,
        "name": data["name"],
        "position": "" if data["position"] is None else str(data["position"]),
        "priorities": data["priorities"],
        "channels": data["channels"],
        "min_customer_level": str(data["min_customer_level"] or ""),
        "calendar_id": "" if data["calendar_id"] is None else str(data["calendar_id"]),
        "business_hours": data["business_hours"],
        "warn_percent": f"{data['warn_fraction'] * 100:g}",
        "enabled": data["enabled"],
        "error": None,
    }
    for metric in METRICS:
        value, unit = target_fields(data[f"{metric}_seconds"])
        form[f"{metric}_value"], form[f"{metric}_unit"] = value, unit
    return form


def _number(text: object, key: str) -> float | None:
    if not str(text):
        return None
    try:
        return float(str(text))
    except ValueError:
        raise FormError(key) from None


def policy_input(form: Values) -> PolicyIn:
    """Raises FormError or ValidationError."""
    warn = _number(form["warn_percent"], "sla.error.warn_fraction")
    values: Values = {
        "name": form["name"],
        "position": form["position"] or None,
        "priorities": form["priorities"],
        "channels": form["channels"],
        "min_customer_level": form["min_customer_level"] or 0,
        "calendar_id": form["calendar_id"] or None,
        "business_hours": form["business_hours"],
        "enabled": form["enabled"],
    }
    if warn is not None:
        values["warn_fraction"] = warn / 100
    for metric in METRICS:
        unit = str(form[f"{metric}_unit"])
        values[f"{metric}_seconds"] = target_seconds(str(form[f"{metric}_value"]), unit)
    return PolicyIn.model_validate(values)
