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


def changed_by_someone_else(obj, *, version: int | None, user=None) -> bool:
    """Optimistic locking: whether a save based on `version` would overwrite a change
    made by someone else since. One person's own saves arriving out of order (an
    autosave still in flight when they press the button) are not a conflict."""
    if version is None or int(version) == obj.version:
        return False
    last_user_id = (
        obj.history.order_by("-history_date", "-history_id")
        .values_list("history_user_id", flat=True)
        .first()
    )
    return user is None or last_user_id != getattr(user, "pk", None)
