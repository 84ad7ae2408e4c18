"""Vocabulary every app shares: the risk levels. (Event verbs belong to the app that
records them: `<app>/event_verbs.py`.)"""

from django.db import models


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"

    @classmethod
    def rank(cls, value: str) -> int:
        """0 for standard, 2 for high."""
        return list(cls.values).index(value)


"""Choices the kernel shares with every app. Event verbs are not here: each app declares
its own in its `event_verbs.py` (see `dasapp.events`)."""
