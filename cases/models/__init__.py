from cases.models.casework import Case, Queue, Task
from cases.models.cover import CaseCoverAlert
from cases.models.flags import Flag
from cases.models.incidents import (
    Event,
    Incident,
    IncidentPerson,
    IncidentResearch,
    QuestionSet,
    ResponseSettings,
)
from cases.models.org import Absence, District, Force, ShiftPattern, ShiftSlot, StaffProfile, Team
from cases.models.out_of_hours import OutOfHoursAlert, OutOfHoursContact
from cases.models.people import (
    Address,
    GivenName,
    NameKey,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PhoneNumber,
    Relationship,
)
from cases.models.safety import (
    AgencyInvolvement,
    CaseworkSettings,
    Contact,
    FollowUp,
    SafetyAction,
    SafetyActionType,
    SafetyPlan,
)

__all__ = [
    "AgencyInvolvement",
    "CaseworkSettings",
    "Contact",
    "FollowUp",
    "SafetyAction",
    "SafetyActionType",
    "SafetyPlan",
    "Case",
    "CaseCoverAlert",
    "Queue",
    "Task",
    "Event",
    "Flag",
    "Incident",
    "IncidentPerson",
    "IncidentResearch",
    "QuestionSet",
    "ResponseSettings",
    "Absence",
    "OutOfHoursAlert",
    "OutOfHoursContact",
    "Address",
    "District",
    "Force",
    "GivenName",
    "NameKey",
    "Person",
    "PersonAddress",
    "PersonName",
    "PersonPhone",
    "PhoneNumber",
    "Relationship",
    "ShiftPattern",
    "ShiftSlot",
    "StaffProfile",
    "Team",
]
