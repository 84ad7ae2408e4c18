"""Who may do what with DV1s. Views, templates (through `risk_tags`) and selectors ask
these predicates."""

from __future__ import annotations

from calls.choices import IncidentStatus
from dasapp.roles import Role, has_role
from risk.choices import AssessmentStatus

# Officers complete DV1s at the scene; supervisors may do it for them.
DV1_WRITERS = (Role.OFFICER, Role.SUPERVISOR)
# Who reads a submitted DV1: the writers, and the researchers and DASOs who review it.
DV1_READERS = (Role.OFFICER, Role.SUPERVISOR, Role.RESEARCHER, Role.DASO)


def can_start_dv1(user, incident) -> bool:
    """An officer or supervisor starts a DV1 from a logged call (never a draft, nor a
    call abandoned before it was logged)."""
    return incident.status not in {
        IncidentStatus.DRAFT,
        IncidentStatus.ABANDONED,
    } and has_role(user, *DV1_WRITERS)


def _officer_on(user, assessment) -> bool:
    # Officers read every logged incident (calls.rules.can_read_incident), so they read
    # and help complete the DV1s of incidents: colleagues at one scene share the draft.
    return has_role(user, Role.OFFICER) and (
        assessment.incident_id is not None or assessment.created_by_id == user.pk
    )


def can_read_assessment(user, assessment) -> bool:
    """Officers read the DV1s of incidents and the ones they wrote; supervisors read any;
    researchers and DASOs read submitted ones (they review the grading)."""
    if has_role(user, Role.SUPERVISOR) or _officer_on(user, assessment):
        return True
    return assessment.status != AssessmentStatus.DRAFT and has_role(
        user, Role.RESEARCHER, Role.DASO
    )


def can_edit_assessment(user, assessment) -> bool:
    """A draft is edited by an officer on the incident (one draft per incident and
    victim, which colleagues share), or a supervisor."""
    if assessment.status != AssessmentStatus.DRAFT:
        return False
    return has_role(user, Role.SUPERVISOR) or _officer_on(user, assessment)


def can_amend_assessment(user, assessment) -> bool:
    """A submitted DV1 is amended (as a new draft) by its officer, or a supervisor."""
    if assessment.status != AssessmentStatus.SUBMITTED:
        return False
    if has_role(user, Role.SUPERVISOR):
        return True
    return has_role(user, Role.OFFICER) and user.pk in (
        assessment.created_by_id,
        assessment.submitted_by_id,
    )
