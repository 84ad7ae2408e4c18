"""Platform pages: sign-in and out, two-factor, home, health and the access log."""

from __future__ import annotations

import csv
import io
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from dasapp import access, selectors, services
from dasapp.api import error_body
from dasapp.context_processors import SERVICE_NAME
from dasapp.filters import AccessLogFilter
from dasapp.forms import SignInForm, TokenForm
from dasapp.home import home_sections
from dasapp.middleware import SESSION_ACTIVE, SESSION_STARTED, session_seconds_left
from dasapp.models import AccessLog, Heartbeat
from dasapp.permissions import role_required, signed_in
from dasapp.roles import primary_role, role_label
from dasapp.rules import ACCESS_LOG_READERS


class SignInView(LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("timeout") == "1"
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        now = time.time()
        self.request.session[SESSION_STARTED] = now
        self.request.session[SESSION_ACTIVE] = now
        return response


def _safe_next(request, value: str | None, default: str = "home"):
    """Where to go next: `value` if it is a path on this site, else `default`."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def _keeping_query(request, url_name: str) -> str:
    query = request.GET.urlencode()
    return f"{reverse(url_name)}?{query}" if query else reverse(url_name)


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("login")


@signed_in
@never_cache
def home(request):
    role = primary_role(request.user)
    return render(
        request,
        "home.html",
        {
            "role": role,
            "role_label": role_label(role),
            "sections": home_sections(request.user),
        },
    )


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links: send them to the icon that
    `base.html` links (its hashed static name, so not a permanent redirect)."""
    return redirect(static("app/favicon.svg"))


@require_GET
@never_cache
def healthz(request):
    """Liveness and worker proof for load balancers and the smoke test. No personal data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        database = "unavailable"
    beat = Heartbeat.objects.filter(name="worker").first() if database == "ok" else None
    age = (timezone.now() - beat.beat_at).total_seconds() if beat else None
    worker_ok = age is not None and age <= settings.HEARTBEAT_INTERVAL_SECONDS * 3
    body = {
        "database": database,
        "database_vendor": connection.vendor,
        "broker": "redis" if settings.REDIS_URL else "filesystem",
        "heartbeat": {
            "last_beat": beat.beat_at.isoformat() if beat else None,
            "seconds_ago": round(age, 1) if age is not None else None,
            "count": beat.count if beat else 0,
            "ok": worker_ok,
        },
    }
    return JsonResponse(body, status=200 if database == "ok" else 503)


@signed_in
@never_cache
def health(request):
    beat = Heartbeat.objects.filter(name="worker").first()
    age = (timezone.now() - beat.beat_at).total_seconds() if beat else None
    return render(
        request,
        "health.html",
        {
            "beat": beat,
            "age": age,
            "worker_ok": age is not None and age <= settings.HEARTBEAT_INTERVAL_SECONDS * 3,
            "interval": settings.HEARTBEAT_INTERVAL_SECONDS,
            "vendor": connection.vendor,
            "broker": "Redis" if settings.REDIS_URL else "embedded file-system broker",
        },
    )


@signed_in
@never_cache
@require_GET
def session_status(request):
    """Seconds left before sign-out; polled by the timeout warning without counting as use."""
    return JsonResponse({"seconds_left": session_seconds_left(request.session)})


@signed_in
@require_POST
def session_extend(request):
    request.session[SESSION_ACTIVE] = time.time()
    if request.htmx:
        return JsonResponse({"seconds_left": session_seconds_left(request.session)})
    return redirect(_safe_next(request, request.POST.get("next")))


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@signed_in
@never_cache
def two_factor_setup(request):
    """Set up an authenticator app: scan the code, then type a code it shows.

    Only for a user with no confirmed authenticator: one who has one proves it on the
    verify page, so a stolen password cannot enrol a second device.
    """
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if user.is_verified():
            messages.info(request, "Two-factor authentication is already set up")
            return redirect("home")
        return redirect(_keeping_query(request, "two_factor_verify"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            messages.success(request, "Two-factor authentication is set up")
            return redirect(_safe_next(request, request.GET.get("next")))
        form.add_error("token", "The security code is not right. Check your app and try again")
    secret = device.bin_key.hex()
    import base64

    base32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": " ".join(base32[i : i + 4] for i in range(0, len(base32), 4)),
            "hex_secret": secret,
        },
        status=400 if form.errors else 200,
    )


@signed_in
@never_cache
def two_factor_verify(request):
    """Type the code from the authenticator app set up earlier."""
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(_keeping_query(request, "two_factor_setup"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request, request.GET.get("next")))
        form.add_error("token", "The security code is not right. Check your app and try again")
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@role_required(*ACCESS_LOG_READERS)
@never_cache
@require_GET
def access_log(request):
    """Supervisors: who consulted or disclosed which record, when and why, in words."""
    filters = AccessLogFilter(request.GET or None, queryset=AccessLog.objects.all())
    if filters.is_bound and not filters.is_valid():
        page = selectors.LogPage([])
    else:
        page = selectors.access_log_page(
            filters.qs, before=request.GET.get("before"), after=request.GET.get("after")
        )
    used = filters.used() if filters.is_bound else {}
    if used.get("person") or used.get("record"):
        # Reading who saw a record names that record: a look-up like any other.
        services.access_record(
            user=request.user,
            action=AccessLog.Action.SEARCH,
            object_type="dasapp.accesslog",
            detail={"filter": used},
            reason="Reading the access log",
        )
    query = _filter_query(request)
    return render(
        request,
        "access_log.html",
        {
            "filter": filters,
            "form": filters.form,
            "page": page,
            "query": query,
            "record_filtered": _record_filtered(used),
        },
        status=400 if filters.is_bound and filters.form.errors else 200,
    )


def _filter_query(request) -> str:
    """The filters of this request as a query string, without the page's cursor."""
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return query.urlencode()


def _record_filtered(used: dict[str, str]) -> str:
    """The person or record the log is filtered to, in words ("Person Leah Hartwell")."""
    pairs = []
    if used.get("person"):
        pairs.append((access.PERSON_TYPE, used["person"]))
    if used.get("record"):
        found = access.record_for_reference(used["record"])
        if found:
            pairs.append(found)
    names = access.record_names(pairs)
    return " and ".join(names[pair] for pair in pairs)


class _Echo:
    def write(self, value):
        return value


# A cell that a spreadsheet would run as a formula is kept as text (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


@role_required(*ACCESS_LOG_READERS)
@never_cache
@require_GET
def access_log_export(request):
    """The filtered log as CSV, streamed. The export is itself a disclosure: it is
    written to the log first, with who received it and the filter used."""
    filters = AccessLogFilter(request.GET or None, queryset=AccessLog.objects.all())
    if filters.is_bound and not filters.is_valid():
        query = _filter_query(request)
        return redirect(f"{reverse('access_log')}?{query}" if query else reverse("access_log"))
    user = request.user
    services.access_record(
        user=user,
        action=AccessLog.Action.DISCLOSE,
        object_type="dasapp.accesslog",
        recipient=f"{user.get_full_name() or user.username} ({user.username})",
        reason="Access log exported as CSV",
        detail={"filter": filters.used() if filters.is_bound else {}, "format": "csv"},
    )
    rows = selectors.access_log_rows(filters.qs)
    writer = csv.writer(_Echo())
    header = [
        "When (UK time)",
        "Who",
        "Username",
        "Did",
        "Channel",
        "Record",
        "About",
        "Why",
        "Record type",
        "Record id",
        "Work item",
    ]

    def lines():
        yield writer.writerow(header)
        for entry in rows:
            yield writer.writerow(
                [
                    _cell(value)
                    for value in (
                        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                        str(entry.user) if entry.user_id else "System",
                        entry.user.username if entry.user_id else "",
                        entry.get_action_display(),
                        entry.get_channel_display(),
                        entry.record_text,
                        entry.about_text,
                        entry.purpose_text,
                        entry.object_type,
                        entry.object_id,
                        entry.work_item,
                    )
                ]
            )

    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    return response


def page_not_found(request, exception=None):
    """404: the API's error shape under /api/, the ordinary page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("Not found.", {}, 404), status=404)
    from django.views.defaults import page_not_found as default_page_not_found

    return default_page_not_found(request, exception)


def server_error(request):
    """500: the API's error shape under /api/, the ordinary page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("Something went wrong. Try again later.", {}, 500), status=500
        )
    from django.http import HttpResponseServerError
    from django.template import loader

    # No request context: the database or a context processor may be what failed.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"service_name": SERVICE_NAME}))
