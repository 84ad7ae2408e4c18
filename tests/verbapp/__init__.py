"""An app that exists only in tests: it adds an event verb of its own, to prove that a
new verb needs no change to `dasapp` or `cases` (dasapp/tests/test_events.py)."""
