"""Dates and times typed into one text field, read as UK time (Europe/London).

A call-taker types "14/12/2026 14:30", "14/12/26 2:30pm" or "tomorrow 9am" into one
field (one tab stop), rather than stepping through a browser's day, month, year, hour
and minute segments. What cannot be read is a ValueError whose message is shown beside
the field, in the design system's voice. Pure functions: no database, `now` passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

_DATE = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_RELATIVE = {"today": 0, "tomorrow": 1}


def _date(text: str, today: dt.date) -> dt.date | None:
    """The date typed, or None if it is not written as a date. ValueError("not real")
    for a date written as one that does not exist (31/2/2027)."""
    text = text.strip().lower()
    if text in _RELATIVE:
        return today + dt.timedelta(days=_RELATIVE[text])
    if match := _DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
        year = year + 2000 if year < 100 else year
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError("not real") from None


def _time(text: str) -> dt.time | None:
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half is None and match.group(2) is None:
        return None  # "14" alone is not a time
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_date(text: str, *, today: dt.date) -> dt.date | None:
    """The date typed ("27/3/2027", "27-3-27", "2027-03-27", "today"), or None when
    nothing was typed. ValueError with the message to show otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = _date(text, today)
    except ValueError:
        raise ValueError("Enter a real date, like 27/3/2027") from None
    if day is None:
        raise ValueError("Enter the date like 27/3/2027")
    return day


def parse_datetime(
    text: str, *, words: str, now: dt.datetime, refuse_repeated: bool = False
) -> dt.datetime | None:
    """The moment typed, in UK time ("14/12/2026 14:30", "14/12/26 2:30pm",
    "tomorrow 9am", or ISO "2026-12-14T14:30"), as an aware datetime in UTC; None when
    nothing was typed. ValueError with the message to show otherwise. A time the clocks
    skip when they go forward does not exist and is refused; a time that happens twice
    when they go back is the first (still British Summer Time), or, with
    `refuse_repeated`, refused: there is no telling which was meant."""
    text = (text or "").strip()
    if not text:
        return None
    example = f"Enter the {words} as a date and time, like 14/12/2026 14:30"
    if "T" in text and _ISO_DATE.match(text.split("T", 1)[0]):
        date_text, time_text = text.split("T", 1)
    else:
        words_apart = re.sub(r"\s*,\s*|\s+at\s+", " ", text)
        words_apart = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", words_apart, flags=re.IGNORECASE)
        date_text, _, time_text = words_apart.rpartition(" ")
        # "14 12 2026 14:30": the date may itself have spaces; the time is the last part.
    try:
        day = _date(date_text, now.astimezone(LONDON).date()) if date_text else None
    except ValueError:
        raise ValueError(f"The {words} must be a real date") from None
    if day is None:
        if _date(text, now.astimezone(LONDON).date()) is not None:
            raise ValueError(f"Enter the time of the {words}, like 14:30")
        raise ValueError(example)
    at = _time(time_text)
    if at is None:
        raise ValueError(f"Enter the time of the {words} as a real time, like 14:30 or 2:30pm")
    return london(day, at, refuse_repeated=refuse_repeated)


def london(day: dt.date, at: dt.time, *, refuse_repeated: bool = False) -> dt.datetime:
    """`day` at `at` on UK clocks, as an aware datetime in UTC. ValueError with the
    message to show for a time the clocks skip; a time they pass twice is the first
    (British Summer Time), or with `refuse_repeated` refused."""
    local = dt.datetime.combine(day, at, tzinfo=LONDON)
    # A wall time that does not exist (the clocks go forward) does not survive the
    # round trip through UTC.
    utc = local.astimezone(dt.UTC)
    if utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(
            f"The clocks go forward at 1am on {day:%-d %B %Y}, so there is no "
            f"{at:%H:%M} that night: enter a time from 2am"
        )
    if refuse_repeated and local.replace(fold=1).utcoffset() != local.utcoffset():
        raise ValueError(
            f"The clocks go back at 2am on {day:%-d %B %Y}, so {at:%H:%M} happens twice "
            "that night: enter a time before 1am or from 2am"
        )
    return utc


def for_field(value: dt.datetime | None) -> str:
    """A stored moment as the field shows it, in UK time: "14/12/2026 14:30"."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day}/{local.month}/{local.year} {local:%H:%M}"


def date_for_field(value: str | dt.date | None) -> str:
    """A stored ISO date as the field shows it ("27/3/2027"); anything else as it is."""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or ""))
        except ValueError:
            return str(value or "")
    return f"{day.day}/{day.month}/{day.year}"
