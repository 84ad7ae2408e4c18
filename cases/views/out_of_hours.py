"""Acknowledge an out-of-hours alert (a high-risk case nobody at work was told about).
Thin: the rule is `cases.rules.can_acknowledge_out_of_hours`, the write
`cases.out_of_hours.out_of_hours_acknowledge`."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases import out_of_hours
from cases.models import OutOfHoursAlert
from dasapp.permissions import role_required
from dasapp.roles import Role


@role_required(Role.SUPERVISOR)
@require_POST
def out_of_hours_acknowledge(request, pk: int):
    alert = get_object_or_404(OutOfHoursAlert.objects.select_related("case"), pk=pk)
    out_of_hours.out_of_hours_acknowledge(alert=alert, user=request.user)
    messages.success(request, f"Out-of-hours alert on case {alert.case.reference} acknowledged")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("home")
