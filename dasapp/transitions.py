"""Declared status changes: each aggregate says once what may happen to it, one engine
runs every change the same way.

An aggregate (a case, a call, a safety-plan action, a DV1) declares a `Machine`: its
model, the field that holds its status, and its `Transition`s. A transition names its
from-states, the state it leads to (or none, for a change that keeps the status, such as
a claim), who may run it (a rule from the app's `rules.py`), its event verb, whether a
reason is needed, and who is told. Services call `machine.run(...)`; HTML views and API
views call those services. The engine, in one transaction:

1. locks the row (`select_for_update`), so of two people acting at once one waits and
   then sees the other's change;
2. asks the rule (refused: `Refused`, the same for a page and the API);
3. checks the from-state (a change no longer possible is refused on the status field);
4. checks the version read (`ConflictError`: nobody's change is silently overwritten);
5. checks the reason;
6. applies the change (the transition's state, and what the service's `apply` adds),
   adds one to the version, saves with the history user and reason, and records the
   domain event with what it was and what it became;
7. tells whoever the transition names once the transaction has committed.

A new status change is one `Transition` in the owning app and, if it needs fields of its
own, an `apply` in its service: no other app is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from dasapp.api import DomainError
from dasapp.events import event_record
from dasapp.history import audited_save, version_check

Rule = Callable[[Any, Any], bool]


class Refused(DomainError):
    """The user may not make this change: one way to refuse, for pages and the API."""

    status_code = 403


@dataclass(frozen=True)
class Transition:
    """One status change an aggregate allows."""

    name: str
    verb: str
    sources: frozenset[str] = frozenset()  # the states it may start from; empty: any
    target: str | None = None  # the state it leads to; None keeps the status
    rule: Rule | None = None  # who may: (user, obj) -> bool
    refusal: str = "You may not do this."
    wrong_state: str = "This can no longer be done: it is {state}."
    reason_required: str = ""  # the field error when a reason is needed and missing
    history_reason: str = ""  # what the history row says before the user's reason
    notify: Callable[[Change], None] | None = None


@dataclass
class Change:
    """What one run of a transition did: handed to `notify` and back to the service."""

    transition: Transition
    obj: Any
    user: Any
    reason: str
    old: dict = field(default_factory=dict)
    new: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Machine:
    """The declared status changes of one model."""

    model: type
    transitions: Mapping[str, Transition]
    what: str  # how the record is named in messages: "case", "action"
    state_field: str = "status"
    subject: Callable[[Any], dict] = lambda obj: {}  # the event's incident= / case=

    @classmethod
    def of(cls, model, transitions: Iterable[Transition], **kwargs) -> Machine:
        return cls(model=model, transitions={t.name: t for t in transitions}, **kwargs)

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def allowed(self, name: str, user, obj) -> bool:
        """Whether `user` may run `name` on `obj` as it stands (for showing a button)."""
        t = self.transitions[name]
        if t.sources and self._state(obj) not in t.sources:
            return False
        return t.rule is None or bool(t.rule(user, obj))

    def _state(self, obj) -> str:
        return getattr(obj, self.state_field)

    def _display(self, obj) -> str:
        display = getattr(obj, f"get_{self.state_field}_display", None)
        return (display() if display else self._state(obj)).lower()

    def run(
        self,
        name: str,
        *,
        obj,
        user,
        reason: str = "",
        version: int | None = None,
        apply: Callable[[Any], tuple[dict, dict] | None] | None = None,
        old: dict | None = None,
        new: dict | None = None,
        check_version_of_user: bool = False,
    ) -> Change:
        """Run transition `name` on `obj` (a row or its primary key) for `user`.

        `apply(locked)` makes the service's own field changes on the locked row after
        every check has passed, and may return `(old, new)` for the event. `old` and
        `new` add fixed entries. The locked, saved row is `change.obj`.
        """
        t = self.transitions[name]
        with transaction.atomic():
            pk = getattr(obj, "pk", obj)
            locked = self.model._default_manager.select_for_update().get(pk=pk)
            if t.rule is not None and not t.rule(user, locked):
                raise Refused(t.refusal, {"__all__": [t.refusal]})
            state = self._state(locked)
            if t.sources and state not in t.sources:
                message = t.wrong_state.format(state=self._display(locked), obj=locked)
                raise DomainError(message, {self.state_field: [message]})
            if hasattr(locked, "version"):
                version_check(
                    locked, version, what=self.what, user=user if check_version_of_user else None
                )
            reason = (reason or "").strip()
            if t.reason_required and not reason:
                raise DomainError("Give a reason.", {"reason": [t.reason_required]})
            change = Change(t, locked, user, reason, dict(old or {}), dict(new or {}))
            if t.target is not None and t.target != state:
                change.old.setdefault(self.state_field, state)
                change.new.setdefault(self.state_field, t.target)
                setattr(locked, self.state_field, t.target)
            if apply is not None:
                more = apply(locked)
                if more:
                    change.old.update(more[0])
                    change.new.update(more[1])
            if hasattr(locked, "version"):
                locked.version += 1
            history = ": ".join(part for part in (t.history_reason, reason) if part)
            audited_save(locked, user=user, reason=history)
            event_record(
                verb=t.verb,
                actor=user,
                old=change.old,
                new=change.new,
                reason=reason,
                **self.subject(locked),
            )
            if t.notify is not None:
                transaction.on_commit(lambda: t.notify(change))
        return change
