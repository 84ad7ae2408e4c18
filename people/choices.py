"""Choice lists for people and places: names, addresses, phones, relationships, flags."""

from django.db import models


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class NameKind(models.TextChoices):
    PRIMARY = "primary", "Name"
    ALIAS = "alias", "Alias"
    PREVIOUS = "previous", "Previous name"
    NICKNAME = "nickname", "Nickname"


class AddressKind(models.TextChoices):
    HOME = "home", "Home"
    PREVIOUS = "previous", "Previous address"
    SAFE = "safe", "Safe address"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class LocationType(models.TextChoices):
    URBAN = "urban", "Urban"
    RURAL = "rural", "Rural"


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    LANDLINE = "landline", "Landline"
    OTHER = "other", "Other"


class RelationshipKind(models.TextChoices):
    PARTNER = "partner", "Partner"
    EX_PARTNER = "ex_partner", "Ex-partner"
    PARENT_OF = "parent_of", "Parent of"
    HOUSEHOLD = "household", "Household member"
    FAMILY = "family", "Family member"

    @classmethod
    def symmetric(cls) -> set[str]:
        return {cls.PARTNER, cls.EX_PARTNER, cls.HOUSEHOLD, cls.FAMILY}


class FlagKind(models.TextChoices):
    HIGH_RISK_VICTIM = "high_risk_victim", "High-risk victim"
    BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
    COURT_ORDER = "court_order", "Court order"
    MARAC_LISTED = "marac_listed", "On a MARAC list"
    SAFETY_PLAN = "safety_plan", "Safety plan in place"
    WEAPONS = "weapons", "Officer safety: weapons"
    OFFICER_SAFETY = "officer_safety", "Officer safety"
    REPEAT_VICTIM = "repeat_victim", "Repeat victim"
    OTHER = "other", "Other"


class FlagSeverity(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    INFO = "info", "Information"
