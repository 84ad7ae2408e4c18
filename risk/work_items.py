"""How the access log names risk records (`dasapp.access` finds this module on first use)."""

from __future__ import annotations

import re

from dasapp.access import register_record
from risk.models import Assessment


def _dv1_reference(text: str) -> str | None:
    match = re.fullmatch(r"DV1-?0*(\d{1,18})", text)
    return match[1] if match else None


@register_record("risk.assessment", noun="DV1", parse_reference=_dv1_reference)
def assessment_names(ids: list[str]) -> dict[str, str]:
    found = Assessment.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).only("pk")
    return {str(a.pk): a.reference for a in found}
