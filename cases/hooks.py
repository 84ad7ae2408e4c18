"""What the apps above `cases` add to casework, which `cases` may not import (the layer
order): the hooks its services run when something happens to a case.

Each app contributes in its own `case_hooks.py` (found on first use, like
`work_items.py`):

- `@register(ACTION_DONE)`: `receiver(*, action, user)` when a safety-plan action is
  marked done (`safety_services.action_complete`); partners start the work of the agency
  a done referral names.
- `@register(CASE_CLOSED)`: `receiver(*, case, user)` when a case closes
  (`assignment_services.case_close`); partners end the agencies' work that came from it.

Receivers run inside the service's transaction, after its own writes, in the order
the apps are installed; what they raise is the service's error and undoes the whole
change. A hook nobody registered does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from cases.models import Case, SafetyAction

MODULE = "case_hooks"

ACTION_DONE = "action_done"
CASE_CLOSED = "case_closed"
HOOKS = (ACTION_DONE, CASE_CLOSED)

Receiver = Callable[..., object]

# hook -> {"app.module.function": receiver}, in the order they registered.
_receivers: dict[str, dict[str, Receiver]] = {hook: {} for hook in HOOKS}
_discovered = False


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules(MODULE)
        _discovered = True


def register(hook: str) -> Callable[[Receiver], Receiver]:
    """Decorator: `receiver` runs whenever `hook` does (registering it again replaces it)."""
    if hook not in _receivers:
        raise ValueError(f"No such case hook: {hook!r} (the hooks are {', '.join(HOOKS)})")

    def decorator(receiver: Receiver) -> Receiver:
        _receivers[hook][f"{receiver.__module__}.{receiver.__qualname__}"] = receiver
        return receiver

    return decorator


def receivers(hook: str) -> tuple[Receiver, ...]:
    """The receivers of `hook`, in the order they run."""
    _discover()
    return tuple(_receivers[hook].values())


def on_action_done(*, action: SafetyAction, user) -> None:
    """Run the `ACTION_DONE` receivers: `action` has just been marked done by `user`."""
    for receiver in receivers(ACTION_DONE):
        receiver(action=action, user=user)


def on_case_closed(*, case: Case, user) -> None:
    """Run the `CASE_CLOSED` receivers: `user` has just closed `case`."""
    for receiver in receivers(CASE_CLOSED):
        receiver(case=case, user=user)
