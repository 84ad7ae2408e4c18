"""Reads for the DV1: the victim's open cases offered before submission, and which of
them the DV1 joins when nobody chooses (the rule is pure, over plain rows); a case's
DV1s, as casework reads them (through `risk.case_assessments`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cases.choices import CaseStatus
from cases.models import Case
from dasapp.choices import RiskLevel
from people.models import Person
from risk.choices import AssessmentStatus
from risk.models import Assessment

NOT_KNOWN = "Not known"


@dataclass(frozen=True)
class OpenCase:
    """One of the victim's open cases, as the DV1 offers it."""

    pk: int
    risk_level: str
    perpetrator_id: int | None
    perpetrator: str
    opened_at: dt.datetime
    owner: str
    queue: str

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}"

    @property
    def risk_label(self) -> str:
        return RiskLevel(self.risk_level).label


def _rank(level: str) -> int:
    return RiskLevel.values.index(level) if level in RiskLevel.values else -1


def default_case(*, perpetrator_id: int | None, cases: list[OpenCase]) -> OpenCase | None:
    """The open case a DV1 joins unless the officer chooses otherwise: the one with the
    same perpetrator; when the DV1's perpetrator is not known, her highest-risk (then
    newest) case; when a case's perpetrator is not known, that case. None when every
    open case names a different perpetrator: that calls for a new case, with a reason."""
    same = [c for c in cases if c.perpetrator_id == perpetrator_id]
    if same:
        return same[0]
    candidates = cases if perpetrator_id is None else [c for c in cases if c.perpetrator_id is None]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (_rank(c.risk_level), c.opened_at, c.pk))


@dataclass(frozen=True)
class OpenCaseChoice:
    """What the DV1 page shows above its submit button: her open cases, the one joined
    unless the officer chooses otherwise (None: a new case), and why."""

    cases: list[OpenCase]
    default: OpenCase | None
    perpetrator_known: bool

    @property
    def default_value(self) -> str:
        """The radio chosen when the page opens: her case to join, or none at all when
        only a new case fits (the officer must then say why)."""
        return str(self.default.pk) if self.default else ""

    @property
    def why(self) -> str:
        """Why the default was chosen, to finish "Chosen for you: …"."""
        if self.default is None:
            return "every open case names a different perpetrator"
        if not self.perpetrator_known:
            return "the suspect is not known"
        if self.default.perpetrator_id is None:
            return "the perpetrator on that case is not known"
        return "the same perpetrator"


def victim_open_cases(*, victim: Person | int, lock: bool = False) -> list[OpenCase]:
    """The victim's open cases, oldest first (locked for update when submitting)."""
    victim_id = victim if isinstance(victim, int) else victim.pk
    queryset = Case.objects.filter(victim_id=victim_id, status=CaseStatus.OPEN)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    rows = queryset.select_related("perpetrator", "assigned_to", "queue").order_by(
        "opened_at", "pk"
    )
    return [
        OpenCase(
            pk=case.pk,
            risk_level=case.risk_level,
            perpetrator_id=case.perpetrator_id,
            perpetrator=case.perpetrator.full_name if case.perpetrator else NOT_KNOWN,
            opened_at=case.opened_at,
            owner=(case.assigned_to.get_full_name() or case.assigned_to.username)
            if case.assigned_to
            else "Not assigned",
            queue=case.queue.name if case.queue else "Not in a queue",
        )
        for case in rows
    ]


def open_case_choice(*, victim: Person, perpetrator_id: int | None) -> OpenCaseChoice:
    """The choice a DV1 for `victim` offers before submission."""
    cases = victim_open_cases(victim=victim)
    return OpenCaseChoice(
        cases=cases,
        default=default_case(perpetrator_id=perpetrator_id, cases=cases),
        perpetrator_known=perpetrator_id is not None,
    )


# A case's DV1s ------------------------------------------------------------------------


def case_assessments(*, case: Case) -> list[Assessment]:
    """The case's submitted (and superseded) DV1s, newest first."""
    return list(
        case.assessments.exclude(status=AssessmentStatus.DRAFT)
        .select_related("submitted_by", "question_set")
        .order_by("-submitted_at", "-pk")
    )


def latest_assessment(assessments: list[Assessment]) -> Assessment | None:
    submitted = [a for a in assessments if a.status == AssessmentStatus.SUBMITTED]
    return submitted[0] if submitted else (assessments[0] if assessments else None)


def latest_submitted_assessment(*, case: Case) -> Assessment | None:
    """The case's newest submitted DV1: the one a challenge of the grading is about."""
    return (
        case.assessments.filter(status=AssessmentStatus.SUBMITTED).order_by("-submitted_at").first()
    )
