from cases.models.org import Absence, District, Force, ShiftPattern, ShiftSlot, StaffProfile, Team
from cases.models.people import (
    Address,
    NameKey,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PhoneNumber,
    Relationship,
)

__all__ = [
    "Absence",
    "Address",
    "District",
    "Force",
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
