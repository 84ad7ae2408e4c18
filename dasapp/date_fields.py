"""Date and time form fields: GOV.UK day/month/year inputs with a 24-hour time, and due times."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone

from dasapp import local_time

TIME_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


# Dates and times as GOV.UK date inputs (day, month, year) and a 24-hour time ----------


def _date_from(data: dict, prefix: str, label: str) -> dt.date | None:
    """The date in `<prefix>_day/_month/_year`; None when all three are empty."""
    parts = [str(data.get(f"{prefix}_{part}") or "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(parts):
        missing = [
            name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value
        ]
        raise forms.ValidationError(f"The {label} must include a {' and a '.join(missing)}")
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1000:
            raise ValueError
        return dt.date(year, month, day)
    except ValueError:
        raise forms.ValidationError(f"The {label} must be a real date") from None


def _time_from(text: str, label: str) -> dt.time:
    match = TIME_RE.match(text or "")
    if not match:
        raise forms.ValidationError(f"Enter the {label} as a 24-hour time, like 14:30")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise forms.ValidationError(f"Enter the {label} as a 24-hour time, like 14:30")
    return dt.time(hours, minutes)


def _aware(date: dt.date, time: dt.time) -> dt.datetime:
    """The moment on UK clocks (`local_time.london`: a time the clocks skip is refused,
    one they pass twice is the first), in the site's zone."""
    try:
        return local_time.london(date, time).astimezone(ZoneInfo(settings.TIME_ZONE))
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


class DateTimeFieldsMixin:
    """Adds `<name>_day/_month/_year/_time` text fields and puts the combined value in
    `cleaned_data[<name>]` (None when left empty: the service says it is needed)."""

    date_times: tuple[tuple[str, str], ...] = ()  # (name, words such as "due date")

    def _add_date_time_fields(self):
        for name, words in self.date_times:
            for part, size in (("day", 2), ("month", 2), ("year", 4)):
                self.fields[f"{name}_{part}"] = forms.CharField(
                    required=False, max_length=size, label=part.capitalize()
                )
            self.fields[f"{name}_time"] = forms.CharField(
                required=False,
                max_length=5,
                label=words.replace("date", "time").capitalize(),
                help_text="24-hour clock, for example 14:30",
            )

    def clean(self):
        data = super().clean()
        for name, words in self.date_times:
            try:
                date = _date_from(data, name, words)
            except forms.ValidationError as exc:
                self.add_error(f"{name}_day", exc)
                continue
            raw_time = data.get(f"{name}_time", "")
            if date is None:
                if raw_time:
                    self.add_error(f"{name}_day", f"Enter the {words}")
                data[name] = None
                continue
            try:
                data[name] = _aware(date, _time_from(raw_time, words.replace("date", "time")))
            except forms.ValidationError as exc:
                self.add_error(f"{name}_time", exc)
        return data


def _date_time_initial(name: str, at: dt.datetime | None) -> dict:
    if at is None:
        return {}
    local = timezone.localtime(at)
    return {
        f"{name}_day": local.day,
        f"{name}_month": local.month,
        f"{name}_year": local.year,
        f"{name}_time": f"{local:%H:%M}",
    }


# A due date and time typed in one input -------------------------------------------

DUE_EXAMPLE = "for example 14/12/2026 14:30 or tomorrow 9am"


def due_from(text: str) -> dt.datetime | None:
    """The due time typed in one input, read as UK time by the one rule for dates and
    times typed (`dasapp.local_time.parse_datetime`: "14/12/2026 14:30", "14/12/26
    2:30pm", "tomorrow 9am", a browser's ISO). None when empty. A time the clocks skip,
    or pass twice (there is no telling which was meant), is refused."""
    try:
        return local_time.parse_datetime(
            text, words="due date", now=timezone.now(), refuse_repeated=True
        )
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None
