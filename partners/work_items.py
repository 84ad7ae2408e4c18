"""The work item of partners that a page link (`?via=involvement:<id>`) or an API caller
(`X-Work-Item`) may name, and how the access log names it and its records
(`dasapp.access` finds this module on first use).

- `involvement:<id>`: an agency's work with a victim, for those who may read her
  contact timeline (her agency's staff while it is open); about her and itself.
"""

from __future__ import annotations

from dasapp.access import describe_work_items, register_record, register_work_item
from partners.models import AgencyInvolvement
from partners.selectors.involvements import involvement_for


@register_work_item("involvement")
def involvement_item(user, pk: int, *, obj=None, person_id: int | None = None) -> bool:
    """An agency's work with a victim ("My agency's victims" links): for those who may
    read her contact timeline; about her (her timeline, her contacts) and itself."""
    found = involvement_for(user=user, pk=pk)
    if found is None:
        return False
    if obj is None and person_id is None:
        return True
    if isinstance(obj, AgencyInvolvement) and obj.pk == pk:
        return True
    return person_id is not None and person_id == found.victim_id


def _int_ids(ids) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


@register_record("partners.agencyinvolvement", noun="Agency involvement")
def involvement_names(ids: list[str]) -> dict[str, str]:
    found = AgencyInvolvement.objects.filter(pk__in=_int_ids(ids)).select_related(
        "agency", "victim"
    )
    return {str(i.pk): f"of {i.agency.name} with {i.victim.full_name}" for i in found}


@describe_work_items("involvement")
def involvement_descriptions(pks: list[int]) -> dict[int, str]:
    found = AgencyInvolvement.objects.filter(pk__in=pks).select_related("agency")
    return {i.pk: f"Working with the victim for {i.agency.name}" for i in found}
