"""The cases an officer reaches through their DV1s: those they submitted a DV1 for
(`cases.reach` finds this module on first use)."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.reach import register_case_reach
from risk.models import Assessment


@register_case_reach
def submitted_dv1_cases(user) -> QuerySet:
    return Assessment.objects.filter(submitted_by=user).values("case_id")
