"""Where a new or re-graded case goes, decided at once from its risk level, the
victim's district, the time and the hubs' rota. Pure: no database. Whether a hub on its
shift has anybody at work is asked of `at_work`, which `cases.case_services` backs with
`org.availability.team_at_work` (built on `user_at_work`, the rule the follow-up
sweep uses for people: one rule for both).

- High risk: the hub serving the victim's district if it is on duty with a DASO at
  work; else another hub on duty with a DASO at work covers it; otherwise the central
  referral unit holds it and the page shows when a hub next comes on duty with somebody
  at work. The note says why a hub was passed over (resting, or nobody at work in it).
  The central unit is notified of every high-risk case at once whichever queue it
  lands in. When the DV1 is submitted while nobody in the receiving team is at work
  (03:00: the central unit and every hub rest), `cases.out_of_hours` tells at once the
  people on the out-of-hours list who are at work (the control room's supervisor, the
  duty inspector), and alerts the supervisors' pages when nobody on it is.
- Medium risk: the central unit's DASO queue.
- Standard risk: the researchers' queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from org.availability import Slot, next_start, pattern_covers


@dataclass(frozen=True)
class HubRota:
    team_id: int
    name: str
    district_ids: frozenset[int]
    slots: tuple[Slot, ...]
    cycle_start: dt.date
    cycle_days: int

    def on_duty(self, at_local: dt.datetime) -> bool:
        return pattern_covers(
            slots=self.slots,
            cycle_start=self.cycle_start,
            cycle_days=self.cycle_days,
            at_local=at_local,
        )

    def next_on_duty(self, at_local: dt.datetime) -> dt.datetime | None:
        return next_start(
            slots=self.slots,
            cycle_start=self.cycle_start,
            cycle_days=self.cycle_days,
            after_local=at_local,
        )


@dataclass(frozen=True)
class Route:
    queue_kind: str  # a cases.choices.QueueKind value
    team_id: int
    note: str
    hub_takes_over_at: dt.datetime | None = None
    notify_central_unit: bool = False


# How far ahead (at least) the central unit looks for a hub's next shift with somebody at
# work; a hub whose cycle is longer is looked at over two of its cycles.
TAKEOVER_HORIZON = dt.timedelta(days=14)

# Whether a hub on its shift has somebody at work at a local moment. None: the rota
# alone decides (every hub fully staffed).
AtWork = Callable[[HubRota, dt.datetime], bool]


def route_case(
    *,
    level: str,
    district_id: int | None,
    at_local: dt.datetime,
    hubs: list[HubRota],
    cru_team_id: int,
    at_work: AtWork | None = None,
) -> Route:
    if level == "medium":
        return Route("cru_medium", cru_team_id, "Medium risk: central referral unit DASO queue")
    if level == "standard":
        return Route("researchers", cru_team_id, "Standard risk: researchers' queue")

    asked: dict[int, bool] = {}

    def takes_cases(hub: HubRota) -> bool:
        if hub.team_id not in asked:
            asked[hub.team_id] = hub.on_duty(at_local) and (
                at_work is None or at_work(hub, at_local)
            )
        return asked[hub.team_id]

    by_name = sorted(hubs, key=lambda h: (h.name, h.team_id))
    local = [h for h in by_name if district_id is not None and district_id in h.district_ids]
    for hub in local:
        if takes_cases(hub):
            return Route(
                "hub_high",
                hub.team_id,
                f"High risk: {hub.name}, on duty for this district",
                notify_central_unit=True,
            )
    # Local hubs on their shift that did not take it have nobody at work.
    empty_local = [h for h in local if h.on_duty(at_local)]
    for hub in by_name:
        if hub in local or not takes_cases(hub):
            continue
        if empty_local:
            why = f": nobody at work in {_names(empty_local)}"
        elif local:
            why = " while its own hub rests"
        elif district_id is None:
            why = " (the victim's district is not known)"
        else:
            why = " (no hub serves it)"
        return Route(
            "hub_high",
            hub.team_id,
            f"High risk: {hub.name} is on duty and covers this district{why}",
            notify_central_unit=True,
        )
    # No hub takes it now: any hub on its shift has nobody at work.
    empty = [h for h in by_name if h.on_duty(at_local)]
    if empty:
        why = f"High risk, nobody at work in {_names(empty)}:"
    else:
        why = "High risk outside hub hours:"
    starts = sorted(
        (start, hub.name, hub.team_id, hub) for hub in by_name for start in _starts(hub, at_local)
    )
    if not starts:
        return Route(
            "cru_high",
            cru_team_id,
            "High risk: central referral unit (no hub rota set)",
            notify_central_unit=True,
        )
    for start, _name, _id, hub in starts:
        if at_work is None or at_work(hub, start):
            return Route(
                "cru_high",
                cru_team_id,
                f"{why} central referral unit until {hub.name} comes on duty "
                f"at {start:%H:%M} on {start:%-d %B}",
                hub_takes_over_at=start,
                notify_central_unit=True,
            )
    return Route(
        "cru_high",
        cru_team_id,
        f"{why} central referral unit; no hub has anybody at work on its coming shifts",
        notify_central_unit=True,
    )


def _names(hubs: list[HubRota]) -> str:
    names = [h.name for h in hubs]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _starts(hub: HubRota, after: dt.datetime):
    """The hub's shift starts after `after`, over the take-over horizon or two of its
    cycles, whichever is longer."""
    until = after + max(TAKEOVER_HORIZON, dt.timedelta(days=2 * hub.cycle_days))
    start = hub.next_on_duty(after)
    while start is not None and start <= until:
        yield start
        start = hub.next_on_duty(start)
