"""Dates and times typed into one field, read as UK time: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from dasapp import local_time

UTC = dt.UTC
# 23:30 UTC on 1 July is 00:30 on 2 July in London (BST): "today" is 2 July.
SUMMER_NIGHT = dt.datetime(2027, 7, 1, 23, 30, tzinfo=UTC)
WINTER = dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def parse(text: str, now: dt.datetime = WINTER) -> dt.datetime | None:
    return local_time.parse_datetime(text, words="appointment", now=now)


@pytest.mark.parametrize(
    "typed",
    ["14/12/2026 14:30", "14/12/26 2:30pm", "14/12/2026 2:30 PM", "14-12-2026 14.30",
     "14 12 2026 14:30", "14/12/2026 at 14:30", "2026-12-14T14:30", "2026-12-14 14:30"],
)  # fmt: skip
def test_a_winter_time_is_london_time_which_is_utc(typed):
    assert parse(typed) == dt.datetime(2026, 12, 14, 14, 30, tzinfo=UTC)


def test_a_summer_time_is_british_summer_time_an_hour_ahead_of_utc():
    assert parse("1/7/2027 14:00") == dt.datetime(2027, 7, 1, 13, 0, tzinfo=UTC)


def test_today_and_tomorrow_are_the_days_in_london_not_in_utc():
    assert parse("today 9am", SUMMER_NIGHT) == dt.datetime(2027, 7, 2, 8, 0, tzinfo=UTC)
    assert parse("Tomorrow 09:00", SUMMER_NIGHT) == dt.datetime(2027, 7, 3, 8, 0, tzinfo=UTC)


def test_nothing_typed_is_none():
    assert parse("  ") is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("next week", "Enter the appointment as a date and time, like 14/12/2026 14:30"),
        ("31/2/2027 10:00", "The appointment must be a real date"),
        ("14/12/2026", "Enter the time of the appointment, like 14:30"),
        ("14/12/2026 25:00", "Enter the time of the appointment as a real time, like 14:30 or 2:30pm"),
        ("14/12/2026 13pm", "Enter the time of the appointment as a real time, like 14:30 or 2:30pm"),
    ],
)  # fmt: skip
def test_what_cannot_be_read_says_what_to_type(typed, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse(typed)


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_is_the_first():
    with pytest.raises(ValueError, match="clocks go forward at 1am on 29 March 2026"):
        parse("29/3/2026 01:30")
    # 01:30 on 25 October 2026 happens twice: the first is BST (00:30 UTC).
    assert parse("25/10/2026 01:30") == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_repeated_time_can_be_refused_where_there_is_no_telling_which_was_meant():
    with pytest.raises(
        ValueError,
        match="^The clocks go back at 2am on 25 October 2026, so "
        "01:30 happens twice that night: enter a time before 1am or from 2am$",
    ):
        local_time.parse_datetime("25/10/2026 01:30", words="x", now=WINTER, refuse_repeated=True)
    # Either side of the repeated hour is read as usual.
    for typed, utc in (
        ("25/10/2026 00:59", dt.datetime(2026, 10, 24, 23, 59, tzinfo=UTC)),
        ("25/10/2026 02:00", dt.datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
    ):
        assert local_time.parse_datetime(typed, words="x", now=WINTER, refuse_repeated=True) == utc


def test_a_date_alone():
    today = dt.date(2026, 12, 7)
    assert local_time.parse_date("27/3/2027", today=today) == dt.date(2027, 3, 27)
    assert local_time.parse_date("2027-03-27", today=today) == dt.date(2027, 3, 27)
    assert local_time.parse_date("tomorrow", today=today) == dt.date(2026, 12, 8)
    with pytest.raises(ValueError, match="Enter a real date, like 27/3/2027"):
        local_time.parse_date("30/2/2027", today=today)
    with pytest.raises(ValueError, match="Enter the date like 27/3/2027"):
        local_time.parse_date("soon", today=today)


def test_shown_in_the_field_in_uk_time():
    assert local_time.for_field(dt.datetime(2027, 7, 1, 13, 0, tzinfo=UTC)) == "1/7/2027 14:00"
    assert local_time.date_for_field("2027-03-27") == "27/3/2027"
    assert local_time.date_for_field("30/2/2027") == "30/2/2027"  # as typed
