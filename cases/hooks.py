"""What the apps above `cases` add to casework, which `cases` may not import (the layer
order): the hooks its services run when something happens to a case, and the pages
they add to a case's sub-navigation.

Each app contributes in its own `case_hooks.py` (found on first use, like
`work_items.py`):

- `@register(ACTION_DONE)`: `receiver(*, action, user)` when a safety-plan action is
  marked done (`safety_services.action_complete`); partners start the work of the agency
  a done referral names.
- `@register(CASE_CLOSED)`: `receiver(*, case, user)` when a case closes
  (`assignment_services.case_close`); partners end the agencies' work that came from it.
- `register_page(...)`: a page of the case, shown in its sub-navigation to those it
  allows, after the case's own pages and before its history; partners add the victim's
  contacts.

Receivers run inside the service's transaction, after its own writes, in the order
the apps are installed; what they raise is the service's error and undoes the whole
change. A hook nobody registered does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class AddedPage:
    """A page another app adds to a case: `key` names it (`{% case_identity_bar case
    "<key>" %}` marks it current), `url(case)` is its address (without `?via=`) and
    `allowed(user, case)` whether to offer it (not asked on the page itself)."""

    key: str
    label: str
    url: Callable[[Case], str]
    allowed: Callable[..., bool]


_pages: dict[str, AddedPage] = {}
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


def register_page(
    key: str, *, label: str, url: Callable[[Case], str], allowed: Callable[..., bool]
) -> AddedPage:
    """Add a page to every case's sub-navigation (registering a key again replaces it)."""
    page = AddedPage(key, label, url, allowed)
    _pages[key] = page
    return page


def pages() -> tuple[AddedPage, ...]:
    """The pages other apps add to a case, in the order they registered."""
    _discover()
    return tuple(_pages.values())


def on_action_done(*, action: SafetyAction, user) -> None:
    """Run the `ACTION_DONE` receivers: `action` has just been marked done by `user`."""
    for receiver in receivers(ACTION_DONE):
        receiver(action=action, user=user)


def on_case_closed(*, case: Case, user) -> None:
    """Run the `CASE_CLOSED` receivers: `user` has just closed `case`."""
    for receiver in receivers(CASE_CLOSED):
        receiver(case=case, user=user)
