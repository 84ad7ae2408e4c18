"""Choice lists of the organisation: kinds of team and of absence."""

from django.db import models


class TeamKind(models.TextChoices):
    CONTROL_ROOM = "control_room", "Control room"
    INTELLIGENCE = "intelligence", "Control-room intelligence"
    CENTRAL_REFERRAL_UNIT = "central_referral_unit", "Central referral unit"
    HUB = "hub", "Hub safeguarding team"
    CID = "cid", "Criminal investigation department"
    NEIGHBOURHOOD_CRIME = "neighbourhood_crime", "Neighbourhood crime team"
    PRISONER_PROCESSING = "prisoner_processing", "Prisoner processing team"
    RESPONSE = "response", "Response policing"
    MARAC_UNIT = "marac_unit", "MARAC unit"
    IDVA_SERVICE = "idva_service", "IDVA service"
    PARTNER_AGENCY = "partner_agency", "Partner agency"


class AbsenceKind(models.TextChoices):
    ANNUAL_LEAVE = "annual_leave", "Annual leave"
    SICKNESS = "sickness", "Sickness"
    TRAINING = "training", "Training"
    OTHER = "other", "Other absence"
