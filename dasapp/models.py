"""Models every app shares: the user, the access log and the worker heartbeat."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A member of staff or a partner's representative. Roles are Django groups."""

    two_factor_enrolled = models.BooleanField(
        default=False,
        editable=False,
        help_text="Has a confirmed two-factor device, so must verify at sign-in. Kept by "
        "signals on every kind of device (dasapp.signals): the check on every request "
        "costs no query.",
    )

    class Meta:
        db_table = "dasapp_user"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessLog(models.Model):
    """One consultation, disclosure, collection or alteration of law-enforcement data.

    Required by the Data Protection Act 2018, section 62. Append-only: the application
    never updates or deletes a row (the model refuses, and on PostgreSQL a trigger does).
    """

    class Action(models.TextChoices):
        CONSULT = "consult", "Consulted"
        COLLECT = "collect", "Collected"
        ALTER = "alter", "Altered"
        DISCLOSE = "disclose", "Disclosed"
        COMBINE = "combine", "Combined"
        ERASE = "erase", "Erased"
        SEARCH = "search", "Searched"

    class Channel(models.TextChoices):
        WEB = "web", "Web"
        API = "api", "API"
        SYSTEM = "system", "System"

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        "dasapp.User", on_delete=models.PROTECT, related_name="access_log", null=True
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    object_type = models.CharField(max_length=64, help_text="app_label.model of the record")
    object_id = models.CharField(max_length=64, blank=True)
    person_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="The person the record is about."
    )
    purpose = models.CharField(max_length=500, blank=True)
    work_item = models.CharField(
        max_length=100, blank=True, help_text="The work item the user came from, e.g. case:42."
    )
    recipient = models.CharField(max_length=200, blank=True, help_text="For disclosures.")
    detail = models.JSONField(
        default=dict, blank=True, help_text="What was looked up or shown; kept for audit only."
    )

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The log's pages, newest first, cut by keyset on (at, id): dasapp.selectors.
            models.Index(fields=["at", "id"], name="accesslog_at_id"),
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["user", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


class Heartbeat(models.Model):
    """The last beat of a periodic task, proving the worker and beat scheduler run."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """A message in a user's inbox, linking to the work item it is about."""

    user = models.ForeignKey("dasapp.User", on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(
        max_length=300, blank=True, help_text="Link to the work item (ids only)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(
        max_length=120, null=True, blank=True, help_text="Makes a repeated notify a no-op."
    )
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When the email was sent.")
    email_wanted = models.BooleanField(
        default=False, help_text="An email is owed; the resend sweep sends any still unsent."
    )
    email_claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a worker took the email to send. A claim older than the lease with "
        "no `emailed_at` is a worker that died: the resend sends it again.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"]),
            # The resend's question: which owed emails are unsent? (A few rows at most.)
            models.Index(
                fields=["created_at"],
                name="notification_email_owed",
                condition=models.Q(email_wanted=True, emailed_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_dedupe")
        ]

    def __str__(self) -> str:
        return self.title


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Domain events are append-only.")

    def delete(self):
        raise PermissionError("Domain events are append-only.")


class Event(models.Model):
    """A domain event by verb: what happened to a work item, by whom, from what, to
    what and why. Only services write it; timelines and reports read it. Append-only:
    the application never updates or deletes a row (the model refuses, and on
    PostgreSQL a trigger does), and what it is about cannot be deleted while it exists."""

    at = models.DateTimeField(db_index=True)
    # Registered by the app that records it, in its `event_verbs.py` (see dasapp.events):
    # no choices here, so a new verb needs no migration.
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An incident or case cannot be deleted while an event is about it.
    incident = models.ForeignKey(
        "calls.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["incident", "at"])]

    def __str__(self) -> str:
        return f"{self.verb} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Domain events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Domain events are append-only.")
