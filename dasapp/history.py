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
    obj._change_reason = reason or ""
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


STALE_MESSAGE = (
    "Someone else changed this {what} while you were working on it. Nothing you entered "
    "has been lost: check their change, then save again."
)


def version_check(
    obj, version: int | None, *, what: str, user=None, message: str | None = None
) -> None:
    """Refuse, with `ConflictError` (409 in the API, the form kept on a page), a save
    based on `version` when the record has changed since. Given `user`, that person's
    own saves arriving out of order are not a conflict (`changed_by_someone_else`).
    No version given: nothing to check."""
    from dasapp.api import ConflictError

    if version is None or int(version) == obj.version:
        return
    if user is not None and not changed_by_someone_else(obj, version=version, user=user):
        return
    raise ConflictError(
        message or STALE_MESSAGE.format(what=what),
        {"version": [f"You had version {version}; the {what} is now at version {obj.version}"]},
    )
