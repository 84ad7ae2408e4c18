from cases.models.casework import Case, Queue, Task
from cases.models.cover import CaseCoverAlert
from cases.models.out_of_hours import OutOfHoursAlert, OutOfHoursContact
from cases.models.safety import (
    CaseworkSettings,
    FollowUp,
    SafetyAction,
    SafetyActionType,
    SafetyPlan,
)

__all__ = [
    "Case",
    "CaseCoverAlert",
    "CaseworkSettings",
    "FollowUp",
    "OutOfHoursAlert",
    "OutOfHoursContact",
    "Queue",
    "SafetyAction",
    "SafetyActionType",
    "SafetyPlan",
    "Task",
]
