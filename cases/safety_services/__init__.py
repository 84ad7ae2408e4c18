"""Writes for safety plans, their actions and staff absences, and the follow-up sweep.

Every change to an action keeps who and why in its history (`audited_save`) and a
domain event; new owners are told in the app and by email (`notify`, queued after the
transaction commits). The sweep (`sweeping`) applies the pure rules of `cases.sweep`.
"""

from cases.safety_services.absences import (
    absence_cancel,
    absence_change,
    absence_end,
    absence_record,
)
from cases.safety_services.actions import (
    action_add,
    action_add_errors,
    action_cancel,
    action_complete,
    action_reassign,
    case_action_add,
)
from cases.safety_services.common import SYSTEM_USERNAME, system_user
from cases.safety_services.plans import case_plan_agree, plan_agree, plan_get_or_create
from cases.safety_services.sweeping import SweepReport, sweep_lookahead, sweep_run

__all__ = [
    "SYSTEM_USERNAME",
    "SweepReport",
    "absence_cancel",
    "absence_change",
    "absence_end",
    "absence_record",
    "action_add",
    "action_add_errors",
    "action_cancel",
    "action_complete",
    "action_reassign",
    "case_action_add",
    "case_plan_agree",
    "plan_agree",
    "plan_get_or_create",
    "sweep_lookahead",
    "sweep_run",
    "system_user",
]
