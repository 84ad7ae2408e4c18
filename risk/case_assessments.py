"""A case's DV1s, as casework reads them: the list on the case page and in the case API,
the latest one (whose level and MARAC criteria the page shows and the review rules
read) and the latest submitted one, whose officer a challenge goes to
(`cases.assessment_providers` finds this module on first use)."""

from __future__ import annotations

from cases.assessment_providers import register_assessment_provider
from risk import selectors
from risk.api.serializers import AssessmentRefSerializer


class CaseDV1s:
    ref_serializer = AssessmentRefSerializer

    def for_case(self, case):
        return selectors.case_assessments(case=case)

    def latest(self, assessments):
        return selectors.latest_assessment(assessments)

    def latest_submitted(self, case):
        return selectors.latest_submitted_assessment(case=case)


register_assessment_provider(CaseDV1s())
