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
- `involvement:<id>`: an agency's work with a victim, for those who may read her
  contact timeline (her agency's staff while it is open); about her and itself.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cases import rules
from cases.involvement_selectors import involvement_for
from cases.models import (
    AgencyInvolvement,
    Case,
    Incident,
    IncidentPerson,
    Person,
    Queue,
    Relationship,
    SafetyAction,
)
from cases.safety_selectors import actions_visible_to
from dasapp.access import register_work_item


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
    if not rules.incidents_visible_to(user, Incident.objects.filter(pk=pk)).exists():
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
    if not rules.people_visible_to(user, Person.objects.filter(pk=pk)).exists():
        return False
    if obj is None and person_id is None:
        return True
    if person_id is None or person_id == pk:
        return False
    return Relationship.objects.filter(
        Q(person_id=pk, other_id=person_id) | Q(person_id=person_id, other_id=pk)
    ).exists()


@register_work_item("involvement")
def involvement_item(user, pk: int, *, obj=None, person_id: int | None = None) -> bool:
    """An agency's work with a victim ("My agency's victims" links): for those who may
    read her contact timeline; about her (her timeline, her contacts) and itself."""
    found = involvement_for(user=user, pk=pk)
    if found is None:
        return False
    if obj is None and person_id is None:
        return True
    if _is(obj, AgencyInvolvement, pk):
        return True
    return person_id is not None and person_id == found.victim_id
