"""Work items are verified, never trusted: `?via=<kind>:<id>` (or `X-Work-Item`) counts
only when the user may see the item and it is about the record opened. The registry in
`dasapp.access` and the casework kinds in `cases.work_items`. Fixtures are fictional."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from cases import case_services, safety_services
from cases.models import Task
from conftest import verify_two_factor
from dasapp import access
from dasapp.models import AccessLog
from dasapp.roles import Role
from org.models import Team
from people import services
from people.models import Relationship

PURPOSE_PAGE = "Why are you viewing this record?"


def _person(given: str, family: str):
    return services.person_create(data=services.PersonInput(given_name=given, family_name=family))


@pytest.fixture
def w(org, persona):
    """Victim Rhian Testwood and her ex-partner on a case in the Colchester hub's queue,
    with a task for PC Dale and patrols owned by Inspector Vance; her sister; a stranger
    with a case of her own outside any queue; and the call in which Rhian was the victim.
    Staff: the hub's DASO, a DASO in another hub, the IDVA, PC Dale, an officer with no
    part in it, Inspector Vance and a call-taker."""
    victim = _person("Rhian", "Testwood")
    perpetrator = _person("Gareth", "Testwood")
    sister = _person("Bryony", "Testwood")
    stranger = _person("Ivy", "Nobody")
    Relationship.objects.create(person=victim, other=sister, kind="family")
    hub_daso = persona(Role.DASO, team="hub-colchester")
    queue = case_services.queue_for(team=Team.objects.get(code="hub-colchester"), kind="hub_high")
    case, _ = case_services.case_open_or_join(
        victim=victim, perpetrator=perpetrator, level="high", user=hub_daso
    )
    case.queue = queue
    case.save()
    other_case, _ = case_services.case_open_or_join(
        victim=stranger, perpetrator=None, level="medium", user=hub_daso
    )
    pc = persona(Role.OFFICER, team="response", username="pc.dale")
    task = Task.objects.create(
        kind="challenge", case=case, assigned_to=pc, created_at=timezone.now()
    )
    inspector = persona(Role.OFFICER, team="response", username="insp.vance")
    plan = safety_services.plan_get_or_create(case=case, user=hub_daso)
    action = safety_services.action_add(
        plan=plan,
        user=hub_daso,
        action_type=None,
        description="Patrols past the address",
        owner=inspector,
        owner_team=None,
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    incident = Incident.objects.create(status=IncidentStatus.GRADED, created_at=timezone.now())
    IncidentPerson.objects.create(incident=incident, person=victim, role=IncidentRole.VICTIM)
    IncidentPerson.objects.create(incident=incident, person=perpetrator, role=IncidentRole.SUSPECT)
    return SimpleNamespace(
        victim=victim,
        perpetrator=perpetrator,
        sister=sister,
        stranger=stranger,
        case=case,
        other_case=other_case,
        queue=queue,
        task=task,
        action=action,
        incident=incident,
        hub_daso=hub_daso,
        other_daso=persona(Role.DASO, team="hub-laindon"),
        idva=persona(Role.IDVA, team="idva-service"),
        pc=pc,
        stranger_pc=persona(Role.OFFICER, team="response"),
        inspector=inspector,
        call_taker=persona(Role.CALL_TAKER, team="control-room"),
        supervisor=persona(Role.SUPERVISOR, team="cru"),
    )


def verified(user, value: str, *, obj=None, person_id=None) -> bool:
    request = RequestFactory().get("/")
    request.user = user
    return access.work_item_verified(request, value, obj=obj, person_id=person_id)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.groups.filter(name=Role.SUPERVISOR).exists():
        verify_two_factor(client, user)
    return client


# The registry -------------------------------------------------------------------------


def test_the_casework_kinds_are_registered(db):
    assert {"case", "queue", "task", "safety_action", "incident", "person"} <= (
        access.work_item_kinds()
    )


def test_a_kind_plugs_in_with_its_own_check_and_an_unknown_kind_is_ignored(w, monkeypatch):
    """A later feature registers a kind; its check gets the user, the id and the record."""
    monkeypatch.setattr(access, "_checks", dict(access._checks))
    asked = []

    @access.register_work_item("marac_meeting")
    def meeting(user, pk, *, obj=None, person_id=None):
        asked.append((user, pk, obj, person_id))
        return pk == 7

    assert verified(w.hub_daso, "marac_meeting:7", obj=w.victim, person_id=w.victim.pk)
    assert not verified(w.hub_daso, "marac_meeting:8", obj=w.victim, person_id=w.victim.pk)
    assert asked[0] == (w.hub_daso, 7, w.victim, w.victim.pk)
    assert not verified(w.hub_daso, "banana:7", obj=w.victim, person_id=w.victim.pk)
    with pytest.raises(ValueError):
        access.register_work_item("Not a kind")


def test_malformed_values_and_signed_out_users_verify_nothing(w):
    from django.contrib.auth.models import AnonymousUser

    for value in ("", "case", f"case:{w.case.pk}:1", "case:abc", f"CASE:{w.case.pk}"):
        assert not verified(w.hub_daso, value, person_id=w.victim.pk), value
    assert not verified(AnonymousUser(), f"case:{w.case.pk}", person_id=w.victim.pk)


def test_each_answer_is_asked_once_per_request(w, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = w.hub_daso
    access.work_item_verified(request, f"case:{w.case.pk}", person_id=w.victim.pk)
    with django_assert_num_queries(0):
        assert access.work_item_verified(request, f"case:{w.case.pk}", person_id=w.victim.pk)


# Each kind: may the user see it, and is it about the record? ----------------------------


def test_a_case_vouches_for_itself_its_records_and_its_victim_and_perpetrator(w):
    item = f"case:{w.case.pk}"
    assert verified(w.hub_daso, item, obj=w.case, person_id=w.victim.pk)
    assert verified(w.hub_daso, item, obj=w.victim, person_id=w.victim.pk)
    assert verified(w.hub_daso, item, obj=w.perpetrator, person_id=w.perpetrator.pk)
    assert verified(w.hub_daso, item, obj=w.action, person_id=w.victim.pk)
    assert verified(w.hub_daso, item)  # a search or list: may see it
    # Not about: a stranger, her sister, another case.
    assert not verified(w.hub_daso, item, obj=w.stranger, person_id=w.stranger.pk)
    assert not verified(w.hub_daso, item, obj=w.sister, person_id=w.sister.pk)
    assert not verified(w.hub_daso, item, obj=w.other_case, person_id=w.stranger.pk)
    # Not seen: the IDVA and an officer with no part in it; a case that does not exist.
    for user in (w.idva, w.stranger_pc):
        assert not verified(user, item, obj=w.victim, person_id=w.victim.pk)
        assert not verified(user, item)
    assert not verified(w.hub_daso, f"case:{w.case.pk + 1000}", person_id=w.victim.pk)


def test_a_queue_vouches_for_the_cases_in_it_for_those_who_work_it(w):
    item = f"queue:{w.queue.pk}"
    assert verified(w.hub_daso, item, obj=w.case, person_id=w.victim.pk)
    assert verified(w.hub_daso, item, obj=w.perpetrator, person_id=w.perpetrator.pk)
    assert not verified(w.hub_daso, item, obj=w.other_case, person_id=w.stranger.pk)
    assert not verified(w.other_daso, item, obj=w.case, person_id=w.victim.pk)
    assert not verified(w.other_daso, item)


def test_a_task_vouches_for_its_case_for_the_officer_holding_it(w):
    item = f"task:{w.task.pk}"
    assert verified(w.pc, item, obj=w.case, person_id=w.victim.pk)
    assert verified(w.pc, item, obj=w.victim, person_id=w.victim.pk)
    assert not verified(w.pc, item, obj=w.stranger, person_id=w.stranger.pk)
    assert not verified(w.stranger_pc, item, obj=w.case, person_id=w.victim.pk)


def test_a_safety_action_vouches_for_its_plan_for_its_owner_who_may_not_read_the_case(w):
    item = f"safety_action:{w.action.pk}"
    assert verified(w.inspector, item, obj=w.action, person_id=w.victim.pk)
    assert verified(w.inspector, item, obj=w.case, person_id=w.victim.pk)  # the plan page
    assert verified(w.hub_daso, item, obj=w.victim, person_id=w.victim.pk)
    assert not verified(w.inspector, item, obj=w.stranger, person_id=w.stranger.pk)
    assert not verified(w.stranger_pc, item, obj=w.case, person_id=w.victim.pk)
    # The plan's own links say `case:<id>`: the owner may follow those too.
    assert verified(w.inspector, f"case:{w.case.pk}", obj=w.case, person_id=w.victim.pk)
    assert not verified(w.inspector, f"case:{w.other_case.pk}", obj=w.other_case)


def test_a_call_vouches_for_the_people_in_it_and_its_dv1s_for_those_who_read_calls(w):
    item = f"incident:{w.incident.pk}"
    dv1 = SimpleNamespace(incident_id=w.incident.pk, _meta=w.incident._meta, pk=1)
    for user in (w.call_taker, w.stranger_pc):
        assert verified(user, item, obj=w.incident)
        assert verified(user, item, obj=w.victim, person_id=w.victim.pk)
        assert verified(user, item, obj=w.perpetrator, person_id=w.perpetrator.pk)
        assert verified(user, item, obj=dv1, person_id=w.victim.pk)
        assert not verified(user, item, obj=w.stranger, person_id=w.stranger.pk)
    assert not verified(w.hub_daso, item, obj=w.victim, person_id=w.victim.pk)  # no calls
    assert not verified(w.idva, item, obj=w.victim, person_id=w.victim.pk)


def test_a_person_vouches_for_their_relatives_but_never_for_themself(w):
    item = f"person:{w.victim.pk}"
    assert verified(w.hub_daso, item, obj=w.sister, person_id=w.sister.pk)
    assert verified(w.hub_daso, f"person:{w.sister.pk}", obj=w.victim, person_id=w.victim.pk)
    assert not verified(w.hub_daso, item, obj=w.victim, person_id=w.victim.pk)
    assert not verified(w.hub_daso, item, obj=w.stranger, person_id=w.stranger.pk)


# On the pages and in the API ------------------------------------------------------------


def test_a_case_page_from_its_queue_is_logged_with_the_queue_and_another_queue_asks(w):
    client = signed_in(w.hub_daso)
    other_queue = case_services.queue_for(
        team=Team.objects.get(code="hub-colchester"), kind="cru_medium"
    )

    asked = client.get(f"/cases/{w.case.pk}/?via=queue:{other_queue.pk}")
    shown = client.get(f"/cases/{w.case.pk}/?via=queue:{w.queue.pk}")

    assert PURPOSE_PAGE in asked.content.decode()
    assert PURPOSE_PAGE not in shown.content.decode()
    log = AccessLog.objects.get(object_type="cases.case")
    assert (log.object_id, log.work_item, log.purpose) == (
        str(w.case.pk),
        f"queue:{w.queue.pk}",
        "",
    )


def test_the_action_owner_opens_the_plan_from_the_notification_without_being_asked(w):
    client = signed_in(w.inspector)

    response = client.get(f"/cases/{w.case.pk}/safety-plan/?via=safety_action:{w.action.pk}")

    assert response.status_code == 200
    assert PURPOSE_PAGE not in response.content.decode()
    assert AccessLog.objects.get().work_item == f"safety_action:{w.action.pk}"


def test_a_relative_is_opened_from_her_record_and_her_own_record_proves_nothing(w):
    client = signed_in(w.hub_daso)

    sister = client.get(f"/people/{w.sister.pk}/?via=person:{w.victim.pk}")
    herself = client.get(f"/people/{w.stranger.pk}/?via=person:{w.stranger.pk}")

    assert PURPOSE_PAGE not in sister.content.decode()
    assert PURPOSE_PAGE in herself.content.decode()
    assert list(AccessLog.objects.values_list("person_id", "work_item")) == [
        (w.sister.pk, f"person:{w.victim.pk}")
    ]


def test_a_record_opened_from_a_work_item_keeps_it_for_the_session(w):
    """Back on the same record without `?via=`, the work item it was opened from still
    counts: it was verified for this record when the user came from it."""
    client = signed_in(w.pc)
    client.get(f"/cases/{w.case.pk}/?via=task:{w.task.pk}")

    again = client.get(f"/cases/{w.case.pk}/")

    assert PURPOSE_PAGE not in again.content.decode()
    logs = AccessLog.objects.filter(object_type="cases.case").order_by("pk")
    assert [log.work_item for log in logs] == [f"task:{w.task.pk}"] * 2


def test_it_still_counts_after_the_users_own_change_moves_the_case_out_of_the_queue(w):
    """A researcher lowers the level of a case opened from her queue and is sent back to
    it `?via=queue:<id>`; the case has left that queue, but she did come from it."""
    client = signed_in(w.hub_daso)
    client.get(f"/cases/{w.case.pk}/?via=queue:{w.queue.pk}")
    w.case.queue = None
    w.case.save()

    back = client.get(f"/cases/{w.case.pk}/?via=queue:{w.queue.pk}")

    assert PURPOSE_PAGE not in back.content.decode()
    logs = AccessLog.objects.filter(object_type="cases.case").order_by("pk")
    assert [log.work_item for log in logs] == [f"queue:{w.queue.pk}"] * 2


def test_a_work_item_remembered_for_one_record_does_not_open_another(w):
    client = signed_in(w.hub_daso)
    client.get(f"/cases/{w.case.pk}/?via=case:{w.case.pk}")

    victim = client.get(f"/people/{w.victim.pk}/")
    stranger = client.get(f"/people/{w.stranger.pk}/?via=case:{w.case.pk}")

    assert PURPOSE_PAGE in victim.content.decode()
    assert PURPOSE_PAGE in stranger.content.decode()
    assert AccessLog.objects.count() == 1


def test_api_searches_keep_a_work_item_header_only_when_the_caller_may_see_it(w):
    from rest_framework.test import APIClient

    for user, expected in ((w.hub_daso, f"case:{w.case.pk}"), (w.call_taker, "")):
        client = APIClient()
        client.force_authenticate(user)
        response = client.get(
            "/api/v1/people/", {"name": "Testwood"}, headers={"X-Work-Item": f"case:{w.case.pk}"}
        )
        assert response.status_code == 200
        log = AccessLog.objects.filter(user=user, action=AccessLog.Action.SEARCH).get()
        assert log.work_item == expected
    # IDVAs are not police: no search of the police's records of people at all.
    client = APIClient()
    client.force_authenticate(w.idva)
    response = client.get("/api/v1/people/", {"name": "Testwood"})
    assert response.status_code == 403
