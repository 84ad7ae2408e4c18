"""Saving an audited row: every service that changes a model with history names the
acting user and the reason, whether it runs in a request, a task or a command."""

from __future__ import annotations


def audited_save(obj, *, user=None, reason: str = "", **save_kwargs) -> None:
    """Save `obj` so that django-simple-history records who and why.

    The web middleware supplies the request's user only inside requests; tasks and
    commands have none, so services always pass it explicitly.
    """
    if user is not None and getattr(user, "pk", None):
        obj._history_user = user
    obj._change_reason = (reason or "")[:100]
    obj.save(**save_kwargs)
