"""Writes for the DV1 and DASH: start a draft (prefilled for a repeat victim), save it,
submit it (score, open or join the case, set its risk, route it, raise markers, ask
for a supervisor's review when the level is lowered), amend it. Reviewing a case's
grading (agree, challenge the officer, answer) is in `cases.case_services`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson, QuestionSet
from cases import case_services, out_of_hours
from cases.choices import TaskKind
from cases.models import Case, Task
from dasapp.api import DomainError
from dasapp.choices import RiskLevel
from dasapp.events import event_record
from dasapp.history import audited_save, version_check
from people.models import Person
from people.services import PersonInput, person_create
from risk import providers, scoring
from risk.choices import AssessmentStatus
from risk.event_verbs import EventVerb
from risk.models import Assessment, RiskSettings
from risk.question_sets import SUPPLEMENT_CODES, current_set
from risk.selectors import OpenCase, default_case, victim_open_cases

YES_NO_UNKNOWN = {"yes", "no", "not_known"}


def thresholds_for(*, district=None) -> scoring.Thresholds:
    """The district's risk settings if it has its own, else the force's, else defaults."""
    row = None
    if district is not None:
        row = RiskSettings.objects.filter(district=district).first()
    if row is None:
        row = RiskSettings.objects.filter(district__isnull=True).order_by("pk").first()
    if row is None:
        return scoring.Thresholds()
    return scoring.Thresholds(
        standard_max_yes=row.standard_max_yes,
        medium_max_yes=row.medium_max_yes,
        visible_high_risk_yes=row.visible_high_risk_yes,
        escalation_incidents=row.escalation_incidents,
        escalation_window_days=row.escalation_window_days,
        repeat_marac_days=row.repeat_marac_days,
        marac_criterion_means_high=row.marac_criterion_means_high,
        red_flags=row.red_flags or {},
    )


def _check_version(assessment: Assessment, version: int | None, user=None) -> None:
    version_check(
        assessment,
        version,
        what="DV1",
        user=user,
        message="Someone else saved this DV1 since you opened it. Your answers are still on "
        "your screen: reload to see the saved version.",
    )


# A tie read from the household member's side ("Relationship to the victim"): the
# victim's `parent_of` tie to someone makes that person her child.
MEMBER_SIDE = {"parent_of": "Child"}


def prefill_from_previous(*, victim: Person) -> dict:
    """What is already known about this victim, from her last submitted DV1 and her
    record: household, children, witnesses are offered to confirm, not asked again."""
    previous = (
        Assessment.objects.filter(victim=victim, status=AssessmentStatus.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    household = list(previous.household) if previous else []
    known_ids = {member.get("person_id") for member in household}
    for rel in victim.relationships_from.filter(ended__isnull=True).select_related("other"):
        if rel.other_id not in known_ids:
            household.append(
                {
                    "person_id": rel.other_id,
                    "name": rel.other.full_name,
                    "relationship": MEMBER_SIDE.get(rel.kind, rel.get_kind_display()),
                    "date_of_birth": rel.other.date_of_birth.isoformat()
                    if rel.other.date_of_birth
                    else "",
                    "confirmed": False,
                }
            )
    for member in household:
        member["confirmed"] = False
    return {"household": household, "from_assessment": previous.pk if previous else None}


@transaction.atomic
def assessment_start(
    *,
    incident: Incident | None,
    victim: Person,
    perpetrator: Person | None,
    user,
    question_set: QuestionSet | None = None,
) -> Assessment:
    """Open a DV1 draft, prefilled for a repeat victim. One draft per incident and victim."""
    if incident is not None:
        existing = Assessment.objects.filter(
            incident=incident, victim=victim, status=AssessmentStatus.DRAFT
        ).first()
        if existing:
            return existing
    prefill = prefill_from_previous(victim=victim)
    assessment = Assessment(
        incident=incident,
        victim=victim,
        perpetrator=perpetrator,
        question_set=question_set or current_set("dash-police"),
        household=prefill["household"],
        created_by=user,
        created_at=timezone.now(),
    )
    audited_save(assessment, user=user, reason="DV1 started")
    return assessment


@dataclass
class DraftChanges:
    answers: dict | None = None
    supplements: dict | None = None
    honour_context: bool | None = None
    household: list | None = None
    witnesses: list | None = None
    safeguarding: dict | None = None
    evidence: dict | None = None
    narrative: str | None = None
    officer_level: str | None = None
    level_reason: str | None = None
    professional_judgement: bool | None = None
    professional_judgement_reason: str | None = None
    # The suspect: a person, or `SUSPECT_NOT_KNOWN` to clear it; None leaves it as it is.
    perpetrator: Person | str | None = None
    # The section the officer saved with "Save and continue": it counts as done.
    section_saved: str | None = None


SUSPECT_NOT_KNOWN = "not_known"
SUSPECT_REASON = "Suspect chosen on the DV1"


def _clean_answers(answers: dict, codes: set[str]) -> tuple[dict, dict[str, list[str]]]:
    clean: dict = {}
    errors: dict[str, list[str]] = {}
    for code, value in (answers or {}).items():
        if code not in codes:
            errors[f"q{code}"] = [f"Question {code} is not on this checklist"]
            continue
        value = value or {}
        answer = value.get("answer", "")
        if answer and answer not in YES_NO_UNKNOWN:
            errors[f"q{code}"] = [f"Answer question {code} with yes, no or not known"]
            continue
        clean[code] = {"answer": answer, "comment": (value.get("comment") or "").strip()[:2000]}
    return clean, errors


@transaction.atomic
def assessment_save(
    *, assessment: Assessment, user, changes: DraftChanges, version: int | None = None
) -> tuple[Assessment, dict[str, list[str]]]:
    """Save a draft as it is (incomplete is fine). Returns field errors for values that
    cannot be kept; everything else is saved."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise DomainError("A submitted DV1 cannot be changed: amend it instead.")
    _check_version(assessment, version, user)
    errors: dict[str, list[str]] = {}
    codes = {q["code"] for q in assessment.question_set.questions}
    if changes.answers is not None:
        clean, answer_errors = _clean_answers(changes.answers, codes)
        errors.update(answer_errors)
        assessment.answers = {**assessment.answers, **clean}
    if changes.supplements is not None:
        merged = dict(assessment.supplements)
        for name, answers in changes.supplements.items():
            if name not in SUPPLEMENT_CODES:
                continue
            qset = current_set(SUPPLEMENT_CODES[name])
            clean, supp_errors = _clean_answers(answers, {q["code"] for q in qset.questions})
            errors.update(supp_errors)
            previous = merged.get(name, {}).get("answers", {})
            merged[name] = {
                "code": qset.code,
                "version": qset.version,
                "answers": {**previous, **clean},
            }
        assessment.supplements = merged
    for name in (
        "honour_context",
        "household",
        "witnesses",
        "safeguarding",
        "evidence",
        "narrative",
        "level_reason",
        "professional_judgement",
        "professional_judgement_reason",
    ):
        value = getattr(changes, name)
        if value is not None:
            setattr(assessment, name, value)
    if changes.officer_level is not None:
        if changes.officer_level and changes.officer_level not in RiskLevel.values:
            errors["officer_level"] = ["Choose standard, medium or high"]
        else:
            assessment.officer_level = changes.officer_level
    reason = "DV1 draft saved"
    if changes.perpetrator is not None:
        chosen = None if changes.perpetrator == SUSPECT_NOT_KNOWN else changes.perpetrator
        if chosen is not None and chosen.pk == assessment.victim_id:
            errors["suspect"] = ["The suspect cannot be the victim: choose someone else"]
        elif (chosen.pk if chosen else None) != assessment.perpetrator_id:
            assessment.perpetrator = chosen
            reason = SUSPECT_REASON
    if changes.section_saved and changes.section_saved not in assessment.sections_saved:
        assessment.sections_saved = [*assessment.sections_saved, changes.section_saved]
    _score(assessment)
    assessment.version += 1
    audited_save(assessment, user=user, reason=reason)
    return assessment, errors


@transaction.atomic
def assessment_suspect_add(
    *, assessment: Assessment, user, data: PersonInput, version: int | None = None
) -> Assessment:
    """Record a new person as the DV1's suspect (one not found by the search). The
    person's errors are raised as a `DomainError` keyed by their field."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != AssessmentStatus.DRAFT:
        raise DomainError("A submitted DV1 cannot be changed: amend it instead.")
    _check_version(locked, version, user)
    try:
        person = person_create(data=data, user=user)
    except ValidationError as exc:
        raise DomainError(
            "Check the suspect's details",
            errors={f"suspect-new-{key}": value for key, value in exc.message_dict.items()},
        ) from exc
    saved, _ = assessment_save(
        assessment=locked, user=user, changes=DraftChanges(perpetrator=person), version=version
    )
    return saved


def _victim_incident_times(assessment: Assessment) -> list[dt.datetime]:
    times = list(
        IncidentPerson.objects.filter(person=assessment.victim, role=IncidentRole.VICTIM)
        .exclude(incident__status__in=[IncidentStatus.DRAFT, IncidentStatus.ABANDONED])
        .values_list("incident__created_at", flat=True)
        .order_by("-incident__created_at")[:500]
    )
    if assessment.incident_id and assessment.incident.created_at not in times:
        times.append(assessment.incident.created_at)
    return times


def _district(assessment: Assessment):
    if assessment.incident_id and assessment.incident.district_id:
        return assessment.incident.district
    link = (
        assessment.victim.address_links.filter(is_current=True)
        .select_related("address__district")
        .first()
    )
    return link.address.district if link else None


def _score(assessment: Assessment, now: dt.datetime | None = None) -> None:
    """Yes count, MARAC criteria with evidence, the suggested level with its reasons (high
    when a MARAC criterion is met) and the red flags, stored on the row so the officer
    sees them before submitting and the case keeps them as they were."""
    now = now or (assessment.incident.created_at if assessment.incident_id else timezone.now())
    t = thresholds_for(district=_district(assessment))
    assessment.yes_count = scoring.yes_count(assessment.answers)
    criteria = scoring.marac_criteria(
        yes=assessment.yes_count,
        incident_times=_victim_incident_times(assessment),
        last_marac_referral_at=providers.last_marac_referral_at(assessment),
        now=now,
        professional_judgement=assessment.professional_judgement,
        professional_judgement_reason=assessment.professional_judgement_reason,
        t=t,
    )
    suggestion = scoring.suggest(yes=assessment.yes_count, criteria=criteria, t=t)
    assessment.suggested_level = suggestion.level
    assessment.suggested_level_reasons = suggestion.reasons
    assessment.marac_criteria = [c.as_json() for c in criteria]
    assessment.red_flags = [
        flag.as_json()
        for flag in scoring.red_flags(
            answers=assessment.answers, question_set=assessment.question_set.code, t=t
        )
    ]


def submission_errors(assessment: Assessment) -> dict[str, list[str]]:
    """Everything that stops a DV1 being submitted, in the order of the form."""
    errors: dict[str, list[str]] = {}
    codes = [q["code"] for q in assessment.question_set.questions]
    for code in scoring.missing_answers(codes, assessment.answers):
        errors[f"q{code}"] = [f"Answer question {code}: yes, no or not known"]
    opens = {
        q["code"]: q.get("opens", []) for q in assessment.question_set.questions if q.get("opens")
    }
    for name in scoring.supplements_to_open(
        answers=assessment.answers, honour_context=assessment.honour_context, opens=opens
    ):
        qset = current_set(SUPPLEMENT_CODES[name])
        given = assessment.supplements.get(name, {}).get("answers", {})
        for code in scoring.missing_answers([q["code"] for q in qset.questions], given):
            errors[f"{name}-{code}"] = [f"Answer question {code} of the {qset.title.lower()}"]
    if not assessment.officer_level:
        errors["officer_level"] = ["Choose the risk level: standard, medium or high"]
    else:
        check = scoring.check_officer_level(
            suggested=assessment.suggested_level,
            chosen=assessment.officer_level,
            reason=assessment.level_reason,
        )
        errors.update(check.errors)
    if assessment.professional_judgement and not assessment.professional_judgement_reason.strip():
        errors["professional_judgement_reason"] = ["Explain the professional judgement"]
    return errors


# Which case a submitted DV1 is filed on ------------------------------------------------
# A victim's open cases are shown before submission: the DV1 joins one (by default the
# one with the same or an unknown perpetrator) or opens a new case with a reason. Never
# a second open case silently.

JOIN = "join"
NEW = "new"


@dataclass(frozen=True)
class CaseChoice:
    """The officer's choice of case: `join` one of her open cases (`case_id`), or open a
    `new` one (`reason` needed when she has open cases). An empty action means the
    choice was offered and not made."""

    action: str = ""
    case_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class CasePlan:
    """What submission will do: join `join`, or open a new case beside `alongside`."""

    join: OpenCase | None
    alongside: list[OpenCase]
    reason: str


def case_plan(
    *, assessment: Assessment, choice: CaseChoice | None, lock: bool = False
) -> tuple[CasePlan | None, dict[str, list[str]]]:
    """Check the choice against her open cases. Without a choice (an API client that
    does not send one) the safe default: join the case with the same or an unknown
    perpetrator; only a different perpetrator opens a new case, saying so."""
    amended_case = assessment.amends.case if assessment.amends_id else None
    if lock:
        # One submission at a time per victim, so two DV1s cannot open two cases.
        Person.objects.select_for_update().filter(pk=assessment.victim_id).first()
    cases = victim_open_cases(victim=assessment.victim_id, lock=lock)
    by_pk = {c.pk: c for c in cases}
    if amended_case is not None and amended_case.pk in by_pk and choice is None:
        return CasePlan(by_pk[amended_case.pk], [], f"Amends {assessment.amends.reference}"), {}
    if choice is None:
        default = default_case(perpetrator_id=assessment.perpetrator_id, cases=cases)
        if default is not None or not cases:
            return CasePlan(default, [], _join_reason(assessment, default)), {}
        return CasePlan(None, cases, "Different perpetrator"), {}
    if choice.action == JOIN:
        if choice.case_id not in by_pk:
            return None, {"open_case": ["Choose one of her open cases, or open a new case"]}
        chosen = by_pk[choice.case_id]
        reason = choice.reason.strip() or _join_reason(assessment, chosen)
        return CasePlan(chosen, [], reason), {}
    if choice.action == NEW:
        reason = choice.reason.strip()
        if assessment.perpetrator_id is not None:
            same = [c for c in cases if c.perpetrator_id == assessment.perpetrator_id]
            if same:
                return None, {
                    "open_case": [
                        f"She already has an open case with this perpetrator "
                        f"({same[0].reference}): add the DV1 to it"
                    ]
                }
        if cases and not reason:
            return None, {
                "open_case_reason": [
                    "Give the reason for opening a new case, for example a different perpetrator"
                ]
            }
        return CasePlan(None, cases, reason), {}
    if cases:
        return None, {
            "open_case": ["Choose whether to add this DV1 to her open case or open a new case"]
        }
    return CasePlan(None, [], ""), {}


def _join_reason(assessment: Assessment, case: OpenCase | None) -> str:
    if case is None:
        return ""
    if case.perpetrator_id == assessment.perpetrator_id:
        return "same perpetrator" if assessment.perpetrator_id else "perpetrator not known"
    if assessment.perpetrator_id is None:
        return "suspect not known on the DV1"
    if case.perpetrator_id is None:
        return "perpetrator not known on the case"
    return "chosen by the officer, though the perpetrator differs"


def _file_on_case(*, assessment: Assessment, plan: CasePlan, user) -> Case:
    """Join or open the case as planned, then set its level: a joined case's risk only
    rises with a DV1 (through the risk-change path, with history); a lower level is kept
    on the DV1 and said on the case, never applied silently. An amendment corrects its
    own grading both ways."""
    district = _district(assessment)
    level = assessment.officer_level
    joined = plan.join is not None
    keeps_higher = (
        joined
        and not assessment.amends_id
        and RiskLevel.values.index(level) < RiskLevel.values.index(plan.join.risk_level)
    )
    if joined:
        case = case_services.case_join(
            case=Case.objects.get(pk=plan.join.pk),
            user=user,
            reason=f"{assessment.reference}: {plan.reason}"
            if plan.reason
            else assessment.reference,
            new={
                "assessment": assessment.pk,
                "level": level,
                "case_level": plan.join.risk_level,
                "kept_higher": keeps_higher,
            },
        )
    else:
        case = case_services.case_open(
            victim=assessment.victim,
            perpetrator=assessment.perpetrator,
            level=level,
            user=user,
            district=district,
            alongside=list(Case.objects.filter(pk__in=[c.pk for c in plan.alongside])),
            reason=plan.reason,
        )
    if case.district_id is None and district is not None:
        case.district = district
    level_reason = assessment.level_reason or (
        _agreed_reason(assessment) if level == assessment.suggested_level else ""
    )
    if case.risk_level != level and not keeps_higher:
        case_services.case_risk_change(
            case=case,
            user=user,
            level=level,
            reason=f"{assessment.reference}: {level_reason}",
            source="dv1",
        )
    else:
        case_services.case_route(case=case, user=user)
        case_services.markers_sync(case=case, user=user, reason=f"{assessment.reference} submitted")
    case.refresh_from_db()
    return case


@transaction.atomic
def assessment_submit(
    *,
    assessment: Assessment,
    user,
    version: int | None = None,
    case_choice: CaseChoice | None = None,
) -> Assessment:
    """Submit the DV1: the case is opened or joined (`case_choice`, see `case_plan`), its
    risk set or raised, routed at once and notified; markers raised for high risk; a
    lowered level asks a supervisor to review."""
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("incident", "victim")
        .get(pk=assessment.pk)
    )
    if assessment.status != AssessmentStatus.DRAFT:
        raise DomainError("This DV1 has already been submitted.")
    _check_version(assessment, version, user)
    _score(assessment)
    plan, choice_errors = case_plan(assessment=assessment, choice=case_choice, lock=True)
    errors = {**submission_errors(assessment), **choice_errors}
    if errors:
        raise DomainError("The DV1 cannot be submitted yet.", errors)
    case = _file_on_case(assessment=assessment, plan=plan, user=user)
    if assessment.amends_id:
        amended = Assessment.objects.select_for_update().get(pk=assessment.amends_id)
        amended.status = AssessmentStatus.SUPERSEDED
        audited_save(amended, user=user, reason=f"Superseded by amendment {assessment.reference}")
    assessment.case = case
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_by = user
    assessment.submitted_at = timezone.now()
    assessment.routed_to = case.queue.name if case.queue_id else ""
    assessment.version += 1
    audited_save(assessment, user=user, reason=f"Submitted at {assessment.officer_level} risk")
    event_record(
        verb=EventVerb.ASSESSMENT_SUBMITTED,
        actor=user,
        case=case,
        incident=assessment.incident,
        new={
            "assessment": assessment.pk,
            "yes_count": assessment.yes_count,
            "suggested": assessment.suggested_level,
            "level": assessment.officer_level,
            "criteria": [c["code"] for c in assessment.marac_criteria],
            "red_flags": [f["label"] for f in assessment.red_flags],
        },
        reason=assessment.level_reason,
    )
    # High risk with nobody at work in the receiving team: tell somebody who is, now.
    out_of_hours.out_of_hours_escalate(case=case, user=user)
    check = scoring.check_officer_level(
        suggested=assessment.suggested_level,
        chosen=assessment.officer_level,
        reason=assessment.level_reason,
    )
    if check.needs_supervisor_review:
        _request_supervisor_review(assessment=assessment, case=case, user=user)
    return assessment


def _agreed_reason(assessment: Assessment) -> str:
    """The history reason when the officer agrees with the suggestion: why it was made."""
    why = "; ".join(r["text"] for r in assessment.suggested_level_reasons)
    return (
        f"Agreed with the checklist's suggestion ({why})"
        if why
        else ("Agreed with the checklist's suggestion")
    )


def _request_supervisor_review(*, assessment: Assessment, case: Case, user) -> Task:
    from dasapp.notify import notify

    supervisor = getattr(getattr(user, "profile", None), "supervisor", None)
    team = None if supervisor else case_services.central_unit()
    task = case_services.task_create(
        kind=TaskKind.SUPERVISOR_REVIEW,
        case=case,
        assessment=assessment,
        user=user,
        assigned_to=supervisor,
        team=team,
        due_in=dt.timedelta(hours=24),
        note=(
            f"{assessment.reference} graded {assessment.officer_level} below the suggested "
            f"{assessment.suggested_level}: {assessment.level_reason}"
        ),
    )
    event_record(
        verb=EventVerb.SUPERVISOR_REVIEW_REQUESTED,
        actor=user,
        case=case,
        new={"task": task.pk},
        reason=assessment.level_reason,
    )
    if supervisor:
        notify(
            users=[supervisor],
            title=f"Review a lowered risk level on {case.reference}",
            url=f"/cases/{case.pk}/",
            dedupe_key=f"task:{task.pk}",
        )
    return task


@transaction.atomic
def assessment_amend(*, assessment: Assessment, user) -> Assessment:
    """Start an amendment: a new draft copying the submitted DV1 and linked to it. The
    submitted version is never changed except to be marked superseded on resubmission."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise DomainError("Only a submitted DV1 can be amended.")
    if Assessment.objects.filter(amends=assessment).exists():
        return Assessment.objects.get(amends=assessment)
    copy = Assessment(
        incident=assessment.incident,
        case=None,
        victim=assessment.victim,
        perpetrator=assessment.perpetrator,
        question_set=assessment.question_set,
        answers=assessment.answers,
        supplements=assessment.supplements,
        honour_context=assessment.honour_context,
        household=assessment.household,
        witnesses=assessment.witnesses,
        safeguarding=assessment.safeguarding,
        evidence=assessment.evidence,
        narrative=assessment.narrative,
        sections_saved=assessment.sections_saved,
        officer_level=assessment.officer_level,
        level_reason="",
        professional_judgement=assessment.professional_judgement,
        professional_judgement_reason=assessment.professional_judgement_reason,
        amends=assessment,
        created_by=user,
        created_at=timezone.now(),
    )
    audited_save(copy, user=user, reason=f"Amendment of {assessment.reference}")
    event_record(
        verb=EventVerb.ASSESSMENT_AMENDED,
        actor=user,
        case=assessment.case,
        new={"assessment": copy.pk, "amends": assessment.pk},
    )
    return copy
