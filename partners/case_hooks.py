"""What partners add to casework (`cases.hooks` finds this module on first use): a done
referral on a safety plan starts the agency's work with the victim, a closed case ends
the agencies' work that came from it, and every case offers her contacts page."""

from __future__ import annotations

from django.urls import reverse

from cases import hooks
from partners import rules as partner_rules
from partners.services import involvements

# The victim's contact timeline, reached from a case ({% case_identity_bar case "contacts" %}).
CONTACTS = "contacts"


@hooks.register(hooks.ACTION_DONE)
def start_referred_agency(*, action, user) -> None:
    """A done referral (its catalogue entry `refers_to` an agency) starts that agency's
    work with the case's victim."""
    involvements.involvement_from_referral(action=action, user=user)


@hooks.register(hooks.CASE_CLOSED)
def end_agencies_with_case(*, case, user) -> None:
    """The case closing ends the agencies' work with her that came from it, unless she
    has another open case."""
    involvements.involvements_end_with_case(case=case, user=user)


hooks.register_page(
    CONTACTS,
    label="Contacts",
    url=lambda case: reverse("contact_timeline", args=[case.victim_id]),
    allowed=lambda user, case: partner_rules.can_see_contacts(user, case.victim),
)
