"""Domain events: verbs registered by the apps that record them (an app adds one without
changing `dasapp` or `cases`), an unknown verb refused when written, and events never
changed or removed, nor what they are about deleted."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, models, transaction
from django.db.models import ProtectedError
from django.test import modify_settings
from django.utils import timezone

from calls.choices import IncidentStatus
from calls.models import Incident
from cases.casework_selectors import case_timeline
from cases.models import Case
from cases.tests.factories import PersonFactory
from dasapp import events
from dasapp.events import (
    UnknownVerb,
    event_record,
    events_record_many,
    register_verbs,
    registered_verbs,
    verb_formatter,
)
from dasapp.models import Event
from dasapp.roles import Role

TEST_APP = "tests.verbapp"


@pytest.fixture
def case(db) -> Case:
    return Case.objects.create(victim=PersonFactory(), risk_level="high", opened_at=timezone.now())


@pytest.fixture
def incident(persona) -> Incident:
    return Incident.objects.create(
        status=IncidentStatus.DRAFT, created_by=persona(Role.CALL_TAKER), created_at=timezone.now()
    )


@pytest.fixture
def registry(monkeypatch):
    """Verbs registered during the test are forgotten after it."""
    monkeypatch.setattr(events, "_verbs", dict(events.registered_verbs()))


@pytest.fixture
def test_app_installed(registry):
    with modify_settings(INSTALLED_APPS={"append": TEST_APP}):
        yield
    sys.modules.pop(f"{TEST_APP}.event_verbs", None)  # found afresh when installed again


# The registry ----------------------------------------------------------------------------


def test_every_app_registers_the_verbs_it_records():
    modules = {verb.value: verb.module for verb in registered_verbs().values()}

    assert modules["incident_abandoned"] == "calls.event_verbs"
    assert modules["case_reassigned"] == "cases.event_verbs"
    assert modules["grading_challenged"] == "cases.event_verbs"
    assert modules["flag_raised"] == "people.event_verbs"
    assert modules["involvement_started"] == "partners.event_verbs"
    assert registered_verbs()["case_owner_away"].label == "Case owner away: supervisors told"


def test_a_new_verb_in_an_app_s_event_verbs_is_recorded_and_read_as_that_app_says(
    test_app_installed, case, persona
):
    courier = persona(Role.IDVA, first_name="Priya", last_name="Okafor")
    idva = persona(Role.IDVA, first_name="Jo", last_name="Marsh")

    event_record(
        verb="parcel_sent",
        actor=idva,
        case=case,
        new={"courier": courier.pk, "items": 3},
        reason="Her documents and the children's medicine",
    )

    [entry] = case_timeline(case=case)
    assert entry.title == "Parcel sent to the refuge"
    when = f"{timezone.localtime(entry.at):%-d %B %Y %H:%M}"
    assert entry.sentence == (
        f"Parcel sent with Priya Okafor by Jo Marsh, {when}: "
        "Her documents and the children's medicine"
    )
    assert entry.details == ["3 items"]
    assert registered_verbs()["parcel_sent"].module == f"{TEST_APP}.event_verbs"


def test_a_verb_without_a_formatter_reads_as_its_label_by_whom_and_why(registry, case):
    @register_verbs
    class EventVerb(models.TextChoices):
        NOTE_FILED = "note_filed", "Note filed"

    event = event_record(verb=EventVerb.NOTE_FILED, actor=None, case=case, reason=" Late ")

    [entry] = case_timeline(case=case)
    assert (entry.title, entry.sentence) == (
        "Note filed",
        f"Note filed by the system, {timezone.localtime(event.at):%-d %B %Y %H:%M}: Late",
    )


def test_a_verb_no_app_registered_is_refused_and_nothing_is_written(case):
    with pytest.raises(UnknownVerb, match="parcel_lost"):
        event_record(verb="parcel_lost", actor=None, case=case)
    with pytest.raises(UnknownVerb):
        events_record_many(
            [
                Event(at=timezone.now(), verb="case_closed", case=case),
                Event(at=timezone.now(), verb="parcel_lost", case=case),
            ]
        )

    assert not Event.objects.exists()


def test_a_verb_belongs_to_one_app(registry):
    with pytest.raises(ImproperlyConfigured, match="cases.event_verbs"):

        @register_verbs
        class EventVerb(models.TextChoices):
            CASE_CLOSED = "case_closed", "Case shut"

    assert registered_verbs()["case_closed"].label == "Case closed"


def test_a_verb_s_value_is_short_lower_case_and_registered_before_its_formatter(registry):
    with pytest.raises(ImproperlyConfigured, match="32"):

        @register_verbs
        class TooLong(models.TextChoices):
            LONG = "a_verb_far_too_long_for_the_event_table", "Long"

    with pytest.raises(ImproperlyConfigured, match="before its formatter"):
        verb_formatter("never_registered")(lambda event, names: None)


# Never changed or removed ------------------------------------------------------------------


def test_a_case_with_events_cannot_be_deleted(case):
    event = event_record(verb="case_opened", actor=None, case=case, new={"risk_level": "high"})

    with pytest.raises(ProtectedError), transaction.atomic():
        case.delete()

    assert Case.objects.filter(pk=case.pk).exists()
    assert Event.objects.filter(pk=event.pk).exists()


def test_an_incident_with_events_cannot_be_deleted(incident):
    event = event_record(verb="incident_logged", actor=None, incident=incident)

    with pytest.raises(ProtectedError), transaction.atomic():
        incident.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).delete()

    assert Incident.objects.filter(pk=incident.pk).exists()
    assert Event.objects.filter(pk=event.pk).exists()


def test_the_application_never_changes_or_deletes_an_event(case):
    event = event_record(verb="case_closed", actor=None, case=case, reason="Moved away")

    event.reason = "Changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        Event.objects.filter(pk=event.pk).update(reason="Changed")
    with pytest.raises(PermissionError):
        case.events.all().delete()
    with pytest.raises(PermissionError), transaction.atomic():
        Event.objects.bulk_update([event], ["reason"])

    assert Event.objects.get(pk=event.pk).reason == "Moved away"


@pytest.mark.postgres
def test_the_database_refuses_raw_update_and_delete_of_events_on_postgresql(case):
    if connection.vendor != "postgresql":
        pytest.skip("The append-only trigger exists on PostgreSQL only (migration 0010).")
    event = event_record(verb="case_closed", actor=None, case=case, reason="Moved away")
    table = Event._meta.db_table
    for sql in (
        f"UPDATE {table} SET reason = 'changed' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])

    assert Event.objects.get(pk=event.pk).reason == "Moved away"


def test_new_events_can_still_be_added(case):
    event_record(verb="case_opened", actor=None, case=case, new={"risk_level": "high"})
    events_record_many(
        [Event(at=timezone.now() + dt.timedelta(minutes=1), verb="case_closed", case=case)]
    )

    assert list(case.events.values_list("verb", flat=True)) == ["case_opened", "case_closed"]
