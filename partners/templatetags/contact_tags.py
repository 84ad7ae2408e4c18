"""`{% contact_block victim %}` or `{% contact_block victim case=case %}`: the "Contact" block of the case and person pages
(safe number, last contact, the other-agency warning, the contact button), shown only
to those who may read the victim's contact timeline."""

from __future__ import annotations

from django import template

from partners import rules as partner_rules
from partners.selectors import contacts as contact_selectors

register = template.Library()


@register.inclusion_tag("contacts/_block.html", takes_context=True)
def contact_block(context, victim, case=None):
    """On a case page always; on a person's page only when the person is a victim."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if victim is None or user is None or not partner_rules.can_see_contacts(user, victim):
        return {"show": False}
    if case is None and not contact_selectors.is_victim(person=victim):
        return {"show": False}
    return {
        "show": True,
        "victim": victim,
        "summary": contact_selectors.contact_summary(victim=victim, user=user),
        "safe_numbers": contact_selectors.safe_numbers(victim=victim),
        "via": f"case:{case.pk}" if case is not None else f"person:{victim.pk}",
        "can_record": partner_rules.can_record_contact(user, victim),
    }
