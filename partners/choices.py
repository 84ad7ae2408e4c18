"""Choice lists for the contact timeline: channels and outcomes."""

from django.db import models


class ContactChannel(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    LETTER = "letter", "Letter"


class ContactOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke with the victim"
    NO_ANSWER = "no_answer", "No answer, no message left"
    NOT_SAFE = "not_safe", "Not safe to talk"
    DECLINED = "declined", "Declined support"
    MESSAGE_SENT = "message_sent", "Message sent (safe channel)"
