from people.models.flags import Flag
from people.models.people import (
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

__all__ = [
    "Address",
    "Flag",
    "GivenName",
    "NameKey",
    "Person",
    "PersonAddress",
    "PersonName",
    "PersonPhone",
    "PhoneNumber",
    "Relationship",
]
