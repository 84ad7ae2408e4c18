"""The `involvement:<id>` work item is partners' (`partners/work_items.py`): the access
log checks it and names it and its records through partners' registrations. Fixtures
are fictional (the personas of test_contacts)."""

from __future__ import annotations

from dasapp import access
from partners import work_items
from partners.tests.test_contacts import p as p  # noqa: F401  (the shared personas fixture)
from partners.tests.test_contacts_agencies import start


def test_the_involvement_work_item_is_checked_and_named_by_partners(p):
    involvement = start(p)

    assert "involvement" in access.work_item_kinds()
    assert access.record_types()["partners.agencyinvolvement"].namer is work_items.involvement_names
    assert access.record_names([("partners.agencyinvolvement", str(involvement.pk))]) == {
        ("partners.agencyinvolvement", str(involvement.pk)): (
            "Agency involvement of IDVA service with Leah Fictional"
        )
    }
    assert access.work_item_descriptions([f"involvement:{involvement.pk}"]) == {
        f"involvement:{involvement.pk}": "Working with the victim for IDVA service"
    }
