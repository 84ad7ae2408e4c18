"""Where a new or re-graded case goes, decided at once from its risk level, the
victim's district, the time and the hubs' rota. Pure: no database.

- High risk: the hub serving the victim's district if it is on duty; else another hub
  on duty covers it; outside all hub hours the central referral unit holds it and the
  page shows when a hub comes on duty. The central unit is notified of every high-risk
  case at once whichever queue it lands in.
- Medium risk: the central unit's DASO queue.
- Standard risk: the researchers' queue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cases.availability import Slot, next_start, pattern_covers


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


def route_case(
    *,
    level: str,
    district_id: int | None,
    at_local: dt.datetime,
    hubs: list[HubRota],
    cru_team_id: int,
) -> Route:
    if level == "medium":
        return Route("cru_medium", cru_team_id, "Medium risk: central referral unit DASO queue")
    if level == "standard":
        return Route("researchers", cru_team_id, "Standard risk: researchers' queue")
    local = [h for h in hubs if district_id is not None and district_id in h.district_ids]
    for hub in local:
        if hub.on_duty(at_local):
            return Route(
                "hub_high",
                hub.team_id,
                f"High risk: {hub.name}, on duty for this district",
                notify_central_unit=True,
            )
    for hub in sorted(hubs, key=lambda h: h.name):
        if hub.on_duty(at_local):
            return Route(
                "hub_high",
                hub.team_id,
                f"High risk: {hub.name} is on duty and covers this district while its own hub rests",
                notify_central_unit=True,
            )
    starts = [(start, hub) for hub in hubs if (start := hub.next_on_duty(at_local)) is not None]
    if starts:
        start, hub = min(starts, key=lambda pair: pair[0])
        return Route(
            "cru_high",
            cru_team_id,
            f"High risk outside hub hours: central referral unit until {hub.name} comes on duty "
            f"at {start:%H:%M} on {start:%-d %B}",
            hub_takes_over_at=start,
            notify_central_unit=True,
        )
    return Route(
        "cru_high",
        cru_team_id,
        "High risk: central referral unit (no hub rota set)",
        notify_central_unit=True,
    )
