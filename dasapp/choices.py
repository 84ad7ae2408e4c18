"""Choices the kernel shares with every app. Event verbs are not here: each app declares
its own in its `event_verbs.py` (see `dasapp.events`)."""
