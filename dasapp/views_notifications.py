"""The notification inbox: a user's own messages, newest first; opening one marks it
read and goes to the work item it links to (only a path on this site)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dasapp import notify, selectors
from dasapp.models import Notification
from dasapp.permissions import signed_in

PAGE_SIZE = 50


def local_url(url: str) -> str | None:
    """`url` if it is a path on this site (no scheme, no host), else None."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=set()) else None


@signed_in
@never_cache
def inbox(request):
    page = Paginator(selectors.notifications_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.unread_count(user=request.user)},
    )


@signed_in
@never_cache
def notification_open(request, pk: int):
    """Mark the notification read and go to its work item."""
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    notify.notification_mark_read(notification=note, user=request.user)
    return redirect(local_url(note.url) or "notifications")


@signed_in
@require_POST
def notification_read(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    notify.notification_mark_read(notification=note, user=request.user)
    return redirect("notifications")


@signed_in
@require_POST
def notifications_read_all(request):
    notify.notifications_mark_all_read(user=request.user)
    return redirect("notifications")
