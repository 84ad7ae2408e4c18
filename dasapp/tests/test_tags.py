"""Template filters shared by every app (dasapp/templatetags/dasapp_tags.py)."""

from __future__ import annotations

import pytest

from dasapp.templatetags.dasapp_tags import hours_in_words


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (168, "7 days"),
        (24, "1 day"),
        (48, "2 days"),
        (72, "3 days"),
        (36, "36 hours"),
        (1, "1 hour"),
        (12, "12 hours"),
        (0, "0 hours"),
        (None, ""),
    ],
)
def test_hours_read_as_days_when_they_are_whole_days(hours, words):
    assert hours_in_words(hours) == words
