"""The work items of casework and calls that a page link (`?via=<kind>:<id>`) or an API
caller (`X-Work-Item`) may name, and when each vouches for opening a record: the user
may see the item, and it is about that record. `dasapp.access` finds this module on
first use and asks these checks; anything they do not vouch for is ignored (the page
asks for a purpose instead).

- `case:<id>`: a case the user may read (or whose safety plan they hold an action on);
  about the case, its records and its victim and perpetrator.
- `queue:<id>`: a queue the user may see; about the cases in it (and their people).
- `task:<id>`: a task on a case the user may read; about that case.
- `safety_action:<id>`: an action the user may see (on a case they read, or theirs or
  their team's to do); about the action, its case and that case's people.
- `incident:<id>`: a call the user may read; about the call, its DV1s and the people in it.
- `person:<id>`: a person the user may see; about the people related to them (the
  links between relatives on a person's page). Never about that person themself: a
  link to someone's own record proves nothing.

The `involvement:<id>` work item is partners' (`partners/work_items.py`).
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from calls import rules as call_rules
from calls.models import Incident, IncidentPerson
from cases import rules
from cases.case_services import QUEUE_NAMES
from cases.models import Case, Queue, SafetyAction, Task
from cases.safety_selectors import actions_visible_to
from dasapp.access import describe_work_items, register_record, register_work_item
from people import rules as people_rules
from people.models import Address, Person, Relationship


def _record_case_id(obj) -> int | None:
    """The case a record belongs to: the case itself, or the one it hangs off."""
    if obj is None:
        return None
    if isinstance(obj, Case):
        return obj.pk
    if isinstance(obj, SafetyAction):
        return obj.plan.case_id
    case_id = getattr(obj, "case_id", None)
    return case_id if isinstance(case_id, int) else None


def _about_cases(cases: QuerySet[Case], *, obj, person_id: int | None) -> bool:
    """Whether a work item on `cases` is about the record: one of those cases, a record
    of one, or the victim or perpetrator of one. With no record: whether any is there."""
    if obj is None and person_id is None:
        return cases.exists()
    about = Q(pk__in=[])
    case_id = _record_case_id(obj)
    if case_id is not None:
        about |= Q(pk=case_id)
    if person_id is not None:
        about |= Q(victim_id=person_id) | Q(perpetrator_id=person_id)
    return cases.filter(about).exists()


def _is(obj, model, pk: int) -> bool:
    return isinstance(obj, model) and obj.pk == pk


@register_work_item("case")
def case_item(user, pk: int, *, obj=None, person_id: int | None = None) -> bool:
    cases = rules.cases_visible_to(user, Case.objects.filter(pk=pk))
    if not cases.exists():
        # The owner of an action on its safety plan sees the plan without reading the case.
        if not actions_visible_to(user, SafetyAction.objects.filter(plan__case_id=pk)).exists():
            return False
        cases = Case.objects.filter(pk=pk)
    return _about_cases(cases, obj=obj, person_id=person_id)


@register_work_item("queue")
def queue_item(user, pk: int, *, obj=None, person_id: int | None = None) -> bool:
    if not rules.queues_visible_to(user, Queue.objects.filter(pk=pk)).exists():
        return False
    if obj is None and person_id is None:
        return True
    cases = rules.cases_visible_to(user, Case.objects.filter(queue_id=pk))
    return _about_cases(cases, obj=obj, person_id=person_id)


@register_work_item("task")
def task_item(user, pk: int, *, obj=None, person_id: int | None = None) -> bool:
    cases = rules.cases_visible_to(user, Case.objects.filter(tasks__pk=pk))
    return _about_cases(cases, obj=obj, person_id=person_id)


@register_work_item("safety_action")
def safety_action_item(user, pk: int, *, obj=None, person_id: int | None = None) -> bool:
    if not actions_visible_to(user, SafetyAction.objects.filter(pk=pk)).exists():
        return False
    if _is(obj, SafetyAction, pk):
        return True
    # Its owner may not read the case, but sees the plan (and its victim) to do the action.
    cases = Case.objects.filter(safety_plan__actions__pk=pk)
    return _about_cases(cases, obj=obj, person_id=person_id)


@register_work_item("incident")
def incident_item(user, pk: int, *, obj=None, person_id: int | None = None) -> bool:
    if not call_rules.incidents_visible_to(user, Incident.objects.filter(pk=pk)).exists():
        return False
    if obj is None and person_id is None:
        return True
    if _is(obj, Incident, pk) or getattr(obj, "incident_id", None) == pk:
        return True
    return (
        person_id is not None
        and IncidentPerson.objects.filter(incident_id=pk, person_id=person_id).exists()
    )


@register_work_item("person")
def person_item(user, pk: int, *, obj=None, person_id: int | None = None) -> bool:
    if not people_rules.people_visible_to(user, Person.objects.filter(pk=pk)).exists():
        return False
    if obj is None and person_id is None:
        return True
    if person_id is None or person_id == pk:
        return False
    return Relationship.objects.filter(
        Q(person_id=pk, other_id=person_id) | Q(person_id=person_id, other_id=pk)
    ).exists()


# How the access log names these records and work items (one query per kind) ----------


def _int_ids(ids) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def _case_reference(text: str) -> str | None:
    match = re.fullmatch(r"C-?0*(\d{1,18})", text)
    return match[1] if match else None


def _incident_reference(text: str) -> str | None:
    match = re.fullmatch(r"DA-\d{6}-(\d{1,18})", text)
    return match[1] if match else None


@register_record("people.person", noun="Person")
def person_names(ids: list[str]) -> dict[str, str]:
    people = Person.objects.filter(pk__in=_int_ids(ids)).only("given_name", "family_name")
    return {str(p.pk): p.full_name for p in people}


@register_record("cases.case", noun="Case", parse_reference=_case_reference)
def case_names(ids: list[str]) -> dict[str, str]:
    cases = Case.objects.filter(pk__in=_int_ids(ids)).select_related("victim")
    return {str(c.pk): f"{c.reference} ({c.victim.full_name})" for c in cases}


@register_record("calls.incident", noun="Call", parse_reference=_incident_reference)
def incident_names(ids: list[str]) -> dict[str, str]:
    incidents = Incident.objects.filter(pk__in=_int_ids(ids)).only("created_at")
    return {str(i.pk): i.reference for i in incidents}


@register_record("cases.safetyaction", noun="Safety-plan action")
def safety_action_names(ids: list[str]) -> dict[str, str]:
    actions = SafetyAction.objects.filter(pk__in=_int_ids(ids)).values_list("pk", "plan__case_id")
    return {str(pk): f"on case {Case(pk=case_id).reference}" for pk, case_id in actions}


@register_record("people.address", noun="Address")
def address_names(ids: list[str]) -> dict[str, str]:
    return {str(a.pk): str(a) for a in Address.objects.filter(pk__in=_int_ids(ids))}


@describe_work_items("queue")
def queue_descriptions(pks: list[int]) -> dict[int, str]:
    queues = Queue.objects.filter(pk__in=pks).select_related("team")
    return {q.pk: f"Working the {QUEUE_NAMES.get(q.kind, q.name)} ({q.team.name})" for q in queues}


@describe_work_items("case")
def case_descriptions(pks: list[int]) -> dict[int, str]:
    found = Case.objects.filter(pk__in=pks).values_list("pk", flat=True)
    return {pk: f"Working case {Case(pk=pk).reference}" for pk in found}


@describe_work_items("task")
def task_descriptions(pks: list[int]) -> dict[int, str]:
    tasks = Task.objects.filter(pk__in=pks).only("kind", "case_id")
    return {
        t.pk: f"Task: {t.get_kind_display().lower()} on case {Case(pk=t.case_id).reference}"
        for t in tasks
    }


@describe_work_items("safety_action")
def safety_action_descriptions(pks: list[int]) -> dict[int, str]:
    actions = SafetyAction.objects.filter(pk__in=pks).values_list("pk", "plan__case_id")
    return {
        pk: f"Doing a safety-plan action on case {Case(pk=case_id).reference}"
        for pk, case_id in actions
    }


@describe_work_items("incident")
def incident_descriptions(pks: list[int]) -> dict[int, str]:
    incidents = Incident.objects.filter(pk__in=pks).only("created_at")
    return {i.pk: f"Handling call {i.reference}" for i in incidents}


@describe_work_items("person")
def person_descriptions(pks: list[int]) -> dict[int, str]:
    people = Person.objects.filter(pk__in=pks).only("given_name", "family_name")
    return {p.pk: f"From the record of a relative, {p.full_name}" for p in people}
