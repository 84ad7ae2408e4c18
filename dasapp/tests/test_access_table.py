"""Who may open which URL: one explicit table, checked against every URL the site has.

Deny by default means every URL states who may use it. This module walks every URL
pattern (included ones too) and fails for any URL missing from ACCESS_TABLE, then asks
each URL once as each persona (anonymous, every role, a superuser and a staff user) and
fails for any answer that differs from the table.

Adding a URL? Add a line to ACCESS_TABLE below, keyed by the URL's name (or its route
if it has none), e.g.

    "case_detail": page(DASO, SUP, kwargs={"pk": "case"}),
    "case-detail": on_missing_record(DASO, SUP, api=True),

Path arguments are filled from the `objects` fixture below (records made for the test:
"person" unless the line's kwargs name another). For a record that is costly to make, `on_missing_record`
asks with an id that does not exist: the roles allowed get past the role check to a
404, the others are refused with a 403 before any look-up.

Outcomes: OK (the view answered: 2xx, a 4xx other than 401/403/404/405 from a form,
or a redirect that is not to sign-in), SIGN_IN (302 to the sign-in page), DENIED (403
or 404), FORBIDDEN (403 only), NOT_FOUND (404 only), UNAUTHENTICATED (401, the API
without credentials).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import verify_two_factor
from dasapp.roles import Role

OK = "ok"
SIGN_IN = "sign-in"
DENIED = "denied"
FORBIDDEN = "403"
NOT_FOUND = "404"
UNAUTHENTICATED = "401"

ANONYMOUS = "anonymous"
SUPERUSER = "superuser"
STAFF = "staff"  # is_staff, no role: reaches the Django admin only
ROLES = tuple(Role.values)
PERSONAS = (ANONYMOUS, *ROLES, SUPERUSER, STAFF)
SIGNED_IN = (*ROLES, SUPERUSER, STAFF)

# URL namespaces and route prefixes not walked one by one. The admin's own pages all
# sit behind its index, checked below as "admin:index";
# test_admin_internals_are_for_staff_with_permission_only samples one more.
SKIPPED_NAMESPACES = {"admin"}
CHECKED_IN_SKIPPED = {"admin:index"}
SKIPPED_PREFIXES = ("static/", "media/", "__debug__/")
MISSING_ID = 987654321


@dataclass(frozen=True)
class Access:
    """Expected outcome per persona, and how to ask (method, path arguments)."""

    outcomes: dict[str, str]
    method: str = "GET"
    kwargs: dict[str, str] = field(default_factory=dict)
    default_object: str = "person"
    signs_out: bool = False


def _access(allowed, *, denied_anonymous, denied_signed_in, allowed_outcome=OK, **options):
    outcomes = {ANONYMOUS: denied_anonymous}
    for persona in SIGNED_IN:
        outcomes[persona] = allowed_outcome if persona in allowed else denied_signed_in
    return Access(outcomes=outcomes, **options)


def page(*allowed: str, **options) -> Access:
    """A page for signed-in users holding one of `allowed` (roles, SUPERUSER, STAFF)."""
    return _access(allowed, denied_anonymous=SIGN_IN, denied_signed_in=DENIED, **options)


def signed_in_page(**options) -> Access:
    """A page any signed-in user may open (their own account, home, status)."""
    return page(*SIGNED_IN, **options)


def public(**options) -> Access:
    return Access(outcomes=dict.fromkeys(PERSONAS, OK), **options)


def everyone(outcome: str, **options) -> Access:
    return Access(outcomes=dict.fromkeys(PERSONAS, outcome), **options)


def api(*allowed: str, **options) -> Access:
    """An API endpoint: 401 without credentials, 403/404 for a caller not allowed."""
    return _access(allowed, denied_anonymous=UNAUTHENTICATED, denied_signed_in=DENIED, **options)


def on_missing_record(*allowed: str, api: bool = False, **options) -> Access:
    """A record's URL asked with an id that does not exist: `allowed` pass the role
    check and get 404, everyone else 403; anonymous to sign-in (401 for the API)."""
    return _access(
        allowed,
        denied_anonymous=UNAUTHENTICATED if api else SIGN_IN,
        denied_signed_in=FORBIDDEN,
        allowed_outcome=NOT_FOUND,
        default_object="missing",
        **options,
    )


def admin_site(**options) -> Access:
    """The Django admin: staff and superusers; everyone else is sent to its sign-in."""
    return _access(
        (SUPERUSER, STAFF), denied_anonymous=SIGN_IN, denied_signed_in=SIGN_IN, **options
    )


CT, INT, OFF, RES, DASO, INV, MARAC, IDVA, PARTNER, SUP = (
    Role.CALL_TAKER,
    Role.INTELLIGENCE,
    Role.OFFICER,
    Role.RESEARCHER,
    Role.DASO,
    Role.INVESTIGATOR,
    Role.MARAC_COORDINATOR,
    Role.IDVA,
    Role.PARTNER,
    Role.SUPERVISOR,
)

# Everyone whose work needs a person's record: IDVAs and partners are not police and
# see a victim's contact timeline only while their agency works with her.
READ_PEOPLE = (CT, INT, OFF, RES, DASO, INV, MARAC, SUP)
WRITE_PEOPLE = (CT, INT, OFF, RES, DASO)
CONTROL_ROOM = (CT, INT, OFF, SUP)
READ_CASES = (OFF, RES, DASO, SUP)
WORK_CASES = (RES, DASO, SUP)
QUEUES = (RES, DASO, SUP)
WRITE_DV1 = (OFF, SUP)
READ_DV1 = (OFF, RES, DASO, SUP)
SAFETY_ACTION_OWNERS = (CT, INT, OFF, RES, DASO, INV, MARAC, IDVA, SUP)  # not partners

ACCESS_TABLE: dict[str, Access] = {
    # Platform
    "home": signed_in_page(),
    "login": public(),
    "sign_out": everyone(SIGN_IN, method="POST", signs_out=True),
    "two_factor_setup": signed_in_page(),
    "two_factor_verify": signed_in_page(),
    "session_status": signed_in_page(),
    "session_extend": signed_in_page(method="POST"),
    "healthz": public(),
    "favicon": public(),  # a redirect to the static icon, before sign-in too
    "health": signed_in_page(),
    "access_log": page(SUP),
    "access_log_export": page(SUP),
    "notifications": signed_in_page(),
    "notification_open": on_missing_record(*SIGNED_IN),
    "notification_read": on_missing_record(*SIGNED_IN, method="POST"),
    "notifications_read_all": signed_in_page(method="POST"),
    # People and places
    "people_search": page(*READ_PEOPLE),
    "person_create": page(*WRITE_PEOPLE),
    "person_detail": page(*READ_PEOPLE),
    # Victim contact timeline of the case's victim ("person"): the roles reading her
    # case. Officers, investigators, the IDVA and partners get past the role check but
    # see only victims of the cases they may read, which the personas have none of, or
    # whom their agency works with (an open involvement), which none does here.
    "contact_timeline": page(RES, DASO, SUP),
    # Agencies working with a victim: the IDVA's and partners' own list; recording one
    # is for DASOs and supervisors working her case (the personas' DASO has no team, so
    # works no queue: refused), ending one for them and the agency's staff.
    "agency_victims": page(IDVA, PARTNER),
    "involvement_create": page(SUP),
    "involvement_end": on_missing_record(DASO, IDVA, PARTNER, SUP, method="POST"),
    "case_claim": on_missing_record(*WORK_CASES, method="POST"),
    "case_release": on_missing_record(*WORK_CASES),
    "case_reassign": on_missing_record(SUP),
    "case_close": on_missing_record(*WORK_CASES),
    "queue_bulk_reassign": on_missing_record(SUP, method="POST"),
    # Acknowledging an out-of-hours alert (a high-risk case nobody at work was told of).
    "out_of_hours_acknowledge": on_missing_record(SUP, method="POST"),
    "caseload": page(RES, DASO),
    "case-assignment-claim": on_missing_record(*WORK_CASES, api=True, method="POST"),
    "case-assignment-release": on_missing_record(*WORK_CASES, api=True, method="POST"),
    "case-assignment-reassign": on_missing_record(SUP, api=True, method="POST"),
    "case-assignment-close": on_missing_record(*WORK_CASES, api=True, method="POST"),
    "case-assignment-bulk-reassign": api(SUP, method="POST"),
    "safety-plan-agree": api(RES, DASO, SUP, method="POST"),
    "contact_create": page(RES, DASO, SUP),
    # Calls. The incident is a draft opened by another call-taker: only that call-taker
    # and supervisors may open or change it.
    "calls": page(CT, SUP),
    "call_start": page(CT, SUP, method="POST"),
    "call_edit": page(SUP, kwargs={"pk": "incident"}),
    "call_autosave": page(SUP, method="POST", kwargs={"pk": "incident"}),
    "call_save_draft": page(SUP, method="POST", kwargs={"pk": "incident"}),
    "call_people_search": page(SUP, method="POST", kwargs={"pk": "incident"}),
    "call_log": page(SUP, method="POST", kwargs={"pk": "incident"}),
    "call_research": page(SUP, method="POST", kwargs={"pk": "incident"}),
    "call_history": page(SUP, kwargs={"pk": "incident"}),
    "call_intelligence": page(SUP, kwargs={"pk": "incident"}),
    # Abandoning a call in progress: the call-taker who started it (not this one) and
    # supervisors (calls.rules.can_abandon_call); the recent abandoned calls: supervisors.
    "call_abandon": page(SUP, kwargs={"pk": "incident"}),
    "calls_abandoned": page(SUP),
    # Regrading: supervisors, and the call-taker who logged the call within the window
    # (calls.rules.can_regrade_call).
    "call_regrade": on_missing_record(CT, SUP),
    "dispatch": page(*CONTROL_ROOM),
    # Dispatch: call-takers, attending officers and supervisors record an officer's
    # arrival and close calls (calls.rules.DISPATCHERS); intelligence researchers do not.
    "call_attended": on_missing_record(CT, OFF, SUP, method="POST"),
    "call_close": on_missing_record(CT, OFF, SUP),
    "research_list": page(INT, SUP),
    # DV1 and DASH
    "dv1_list": page(*WRITE_DV1),
    "dv1_start": on_missing_record(*WRITE_DV1, method="POST"),  # no incident sent
    "dv1_edit": page(*READ_DV1, kwargs={"pk": "submitted_assessment"}),
    "dv1_autosave": on_missing_record(*WRITE_DV1, method="POST"),
    "dv1_submit": on_missing_record(*WRITE_DV1, method="POST"),
    "dv1_confirmation": page(*READ_DV1, kwargs={"pk": "submitted_assessment"}),
    "dv1_amend": on_missing_record(*WRITE_DV1, method="POST"),
    "dv1_check": on_missing_record(*WRITE_DV1),
    "dv1_section": on_missing_record(*WRITE_DV1),
    # Cases and queues. The case sits in a hub's queue with a DV1 submitted by another
    # officer; the personas belong to no team. So officers (only their own cases) are
    # refused it, and only supervisors see its history (others: cases they work) and
    # the hub's queue (DASOs and researchers: their own team's queues).
    "queues": page(*QUEUES),
    "queue_detail": page(SUP, kwargs={"pk": "queue"}),
    "case_detail": page(RES, DASO, SUP, kwargs={"pk": "case"}),
    "case_history": page(SUP, kwargs={"pk": "case"}),
    "case_agree": on_missing_record(*WORK_CASES, method="POST"),
    "case_risk_change": on_missing_record(*WORK_CASES, method="POST"),
    "case_challenge": on_missing_record(*WORK_CASES, method="POST"),
    "case_task_complete": on_missing_record(*READ_CASES, method="POST"),
    # Safety plans (issue 5): anyone but partners may hold an action, so they get past
    # the role check; the plan itself is for those who read the case (and the owners of
    # its actions). DASOs, researchers and supervisors work plans (which cases, the view
    # says); supervisors record absences.
    "safety_plan": page(RES, DASO, SUP, kwargs={"pk": "case"}),
    "safety_plan_agree": on_missing_record(RES, DASO, SUP, method="POST"),
    "safety_action_add": on_missing_record(RES, DASO, SUP, method="POST"),
    # The owner picker's look-up: for those who may add actions to the case's plan.
    "safety_owner_search": on_missing_record(RES, DASO, SUP),
    "safety_action_complete": on_missing_record(*SAFETY_ACTION_OWNERS, method="POST"),
    "safety_action_reassign": on_missing_record(RES, DASO, SUP, method="POST"),
    "safety_action_cancel": on_missing_record(RES, DASO, SUP, method="POST"),
    "absences": page(SUP),
    "absence_end": on_missing_record(SUP, method="POST"),
    "absence_change": on_missing_record(SUP),
    "absence_cancel": on_missing_record(SUP, method="POST"),
    # Lists of actions beyond the plan: anyone who may own one; supervisors' people's.
    "my_safety_actions": page(*SAFETY_ACTION_OWNERS),
    "safety_actions_attention": page(SUP),
    # API
    "api-root": api(*ROLES),
    "person-list": api(*READ_PEOPLE),
    "person-search": api(*READ_PEOPLE, method="POST"),
    "person-detail": api(*READ_PEOPLE),
    "contact-list": api(OFF, RES, DASO, INV, IDVA, PARTNER, SUP),  # 400 without ?victim=
    "involvement-list": api(OFF, RES, DASO, INV, IDVA, PARTNER, SUP),  # 400, likewise
    "involvement-end": on_missing_record(DASO, IDVA, PARTNER, SUP, api=True, method="POST"),
    "address-list": api(*READ_PEOPLE),
    "address-detail": api(*READ_PEOPLE, kwargs={"pk": "address"}),
    "lookup": api(*CONTROL_ROOM),
    "incident-list": api(*CONTROL_ROOM),
    "incident-detail": api(SUP, kwargs={"pk": "incident"}),
    "incident-grade": api(SUP, method="POST", kwargs={"pk": "incident"}),
    "incident-abandon": api(SUP, method="POST", kwargs={"pk": "incident"}),
    "incident-attended": on_missing_record(CT, OFF, SUP, api=True, method="POST"),
    "incident-close": on_missing_record(CT, OFF, SUP, api=True, method="POST"),
    "case-list": api(*READ_CASES),
    "case-detail": api(RES, DASO, SUP, kwargs={"pk": "case"}),
    "case-history": api(SUP, kwargs={"pk": "case"}),
    "case-agree": on_missing_record(*WORK_CASES, api=True, method="POST"),
    "case-challenge": on_missing_record(*WORK_CASES, api=True, method="POST"),
    "case-risk-level": on_missing_record(*WORK_CASES, api=True, method="POST"),
    "assessment-list": api(*WRITE_DV1, method="POST"),
    "assessment-detail": api(*READ_DV1, kwargs={"pk": "submitted_assessment"}),
    "notification-list": api(*ROLES),
    "safety-action-list": api(*SAFETY_ACTION_OWNERS),
    "safety-action-detail": on_missing_record(*SAFETY_ACTION_OWNERS, api=True),
    "safety-action-reassign": on_missing_record(RES, DASO, SUP, api=True, method="POST"),
    "safety-action-cancel": on_missing_record(RES, DASO, SUP, api=True, method="POST"),
    "absence-list": api(*ROLES),
    "absence-detail": on_missing_record(*ROLES, api=True),
    "absence-end": on_missing_record(SUP, api=True, method="POST"),
    "absence-change": on_missing_record(SUP, api=True, method="POST"),
    "absence-cancel": on_missing_record(SUP, api=True, method="POST"),
    "notification-read": on_missing_record(*ROLES, api=True, method="POST"),
    "api_schema": api(*SIGNED_IN),
    "api_docs": api(*SIGNED_IN),
    # Django admin (its other pages are behind the same check)
    "admin:index": admin_site(),
}


# Walking the URL patterns ------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str
    route: str
    name: str | None
    namespace: str | None
    params: tuple[str, ...]
    view: str


def _is_format_suffix(pattern: URLPattern) -> bool:
    """DRF's `.json` twins of router URLs: same view and access as the URL they copy."""
    converters = getattr(pattern.pattern, "converters", {})
    if any(type(c).__name__ == "FormatSuffixConverter" for c in converters.values()):
        return True
    return "(?P<format>" in str(pattern.pattern)


def _params(pattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None and hasattr(pattern.pattern, "_route"):
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


def walk(patterns=None, prefix: str = "", namespace: str | None = None, params=()):
    """Yield every URL pattern as a Route, including those in included URLconfs."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                ns,
                (*params, *_params(pattern)),
            )
            continue
        if _is_format_suffix(pattern):
            continue
        route = prefix + str(pattern.pattern)
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
        callback = pattern.callback
        callback = getattr(callback, "view_class", None) or getattr(callback, "cls", callback)
        view = f"{callback.__module__}.{getattr(callback, '__qualname__', callback)}"
        yield Route(
            key=name or route,
            route=route,
            name=name,
            namespace=namespace,
            params=(*params, *_params(pattern)),
            view=view,
        )


def is_skipped(route: Route) -> bool:
    if route.key in CHECKED_IN_SKIPPED:
        return False
    if route.namespace and route.namespace.split(":")[0] in SKIPPED_NAMESPACES:
        return True
    return route.route.lstrip("^").startswith(SKIPPED_PREFIXES)


def routes_to_check() -> list[Route]:
    return [route for route in walk() if not is_skipped(route)]


def _suggestion(route: Route) -> str:
    kwargs = ""
    if route.params:
        inner = ", ".join(f'"{p}": "person"' for p in route.params)
        kwargs = f", kwargs={{{inner}}}"
    helper = "api" if route.route.startswith("api/") else "page"
    return f'    "{route.key}": {helper}(<roles that may use it>{kwargs}),'


def test_every_url_is_in_the_access_table():
    missing = [route for route in routes_to_check() if route.key not in ACCESS_TABLE]
    assert not missing, (
        "These URLs are not in ACCESS_TABLE in dasapp/tests/test_access_table.py, so "
        "nobody has declared who may open them. Add a line for each (page(), api(), "
        "signed_in_page(), public(); see the module docstring):\n"
        + "\n".join(f"  {r.route}  (view {r.view})\n{_suggestion(r)}" for r in missing)
    )


def test_access_table_has_no_entries_for_urls_that_are_gone():
    keys = {route.key for route in routes_to_check()}
    stale = sorted(set(ACCESS_TABLE) - keys)
    assert not stale, (
        f"ACCESS_TABLE in dasapp/tests/test_access_table.py names URLs that no longer "
        f"exist: {', '.join(stale)}. Remove or rename those lines."
    )


def test_url_names_used_as_table_keys_are_unique():
    seen: dict[str, str] = {}
    clashes = []
    for route in routes_to_check():
        if route.key in seen and seen[route.key] != route.route:
            clashes.append(f"{route.key}: {seen[route.key]} and {route.route}")
        seen[route.key] = route.route
    assert not clashes, "Give these URLs different names:\n" + "\n".join(clashes)


# Asking every URL as every persona -------------------------------------------------


@pytest.fixture
def objects(persona):
    """The records whose ids fill path arguments, by the names ACCESS_TABLE uses."""
    from calls.services import calls as call_services
    from people import services

    person = services.person_create(
        data=services.PersonInput(given_name="Table", family_name="Walker")
    )
    address, _ = services.address_get_or_create(line1="1 Walker Row", postcode="CM1 1AA")
    incident, _ = call_services.incident_start(user=persona(Role.CALL_TAKER))
    made = {
        "person": person.pk,
        "address": address.pk,
        "incident": incident.pk,
        "missing": MISSING_ID,
    }
    made.update(_casework_objects(person=person, incident=incident, persona=persona))
    return made


def _casework_objects(*, person, incident, persona) -> dict:
    """A case in a hub's queue with a task for the central unit, a submitted DV1 and a
    notification for someone else."""
    from django.utils import timezone

    from cases.case_services import queue_for
    from cases.models import Case, Task
    from dasapp.notify import notify
    from org.models import Team
    from risk.choices import AssessmentStatus
    from risk.models import Assessment
    from risk.question_sets import current_set

    now = timezone.now()
    queue = queue_for(team=Team.objects.get(code="hub-colchester"), kind="hub_high")
    case = Case.objects.create(victim=person, risk_level="high", queue=queue, opened_at=now)
    task = Task.objects.create(
        kind="supervisor_review", case=case, team=Team.objects.get(code="cru"), created_at=now
    )
    officer = persona(Role.OFFICER, username="table-officer")
    assessment = Assessment.objects.create(
        incident=incident,
        case=case,
        victim=person,
        question_set=current_set("dash-police"),
        status=AssessmentStatus.SUBMITTED,
        created_by=officer,
        created_at=now,
        submitted_by=officer,
        submitted_at=now,
    )
    note = notify(users=[officer], title="For the table officer", url="/", email=False)[0]
    return {
        "case": case.pk,
        "queue": queue.pk,
        "task": task.pk,
        "submitted_assessment": assessment.pk,
        "notification": note.pk,
    }


@pytest.fixture
def clients(client_for, persona):
    """One signed-in client per persona, two-factor verified where it is required."""
    made = {ANONYMOUS: Client()}
    for role in ROLES:
        made[role] = client_for(role)
    for name, flags in ((SUPERUSER, {"is_superuser": True, "is_staff": True}), (STAFF, {})):
        user = persona(None, username=name)
        user.is_staff = True
        for attr, value in flags.items():
            setattr(user, attr, value)
        user.save()
        c = Client()
        c.force_login(user)
        verify_two_factor(c, user)
        c.user = user
        made[name] = c
    return made


def url_for(route: Route, access: Access, objects: dict) -> str:
    kwargs = {}
    for param in route.params:
        source = access.kwargs.get(param, access.default_object)
        kwargs[param] = str(objects[source])
    return reverse(route.name, kwargs=kwargs) if route.name else "/" + route.route


def outcome_of(response, path: str) -> str:
    status = response.status_code
    if status == 401:
        return UNAUTHENTICATED
    if status in (403, 404):
        return str(status)
    if status == 405:
        return "405 method not allowed"
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        if location.startswith(("/account/sign-in/", "/admin/login/")):
            return SIGN_IN
        if location.startswith("/account/two-factor/") and not path.startswith(
            "/account/two-factor/"
        ):
            return f"redirected to two-factor ({location})"
        return OK
    if status >= 500:
        return f"server error {status}"
    return OK


def _sign_in_again(client):
    """After a URL that signs out: sign the same user in again, two-factor included
    (straight into the session: the same code cannot be used twice)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(client.user)
    device = TOTPDevice.objects.filter(user=client.user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def test_every_url_answers_each_persona_as_the_table_says(clients, objects):
    mismatches = []
    for route in routes_to_check():
        access = ACCESS_TABLE.get(route.key)
        if access is None:
            continue  # reported by test_every_url_is_in_the_access_table
        path = url_for(route, access, objects)
        for persona_name in PERSONAS:
            client = clients[persona_name]
            response = client.generic(access.method, path)
            got = outcome_of(response, path)
            expected = access.outcomes[persona_name]
            if not (got == expected or (expected == DENIED and got in (FORBIDDEN, NOT_FOUND))):
                mismatches.append(
                    f"{access.method} {path} ({route.key}) as {persona_name}: expected "
                    f"{expected}, got {got} (HTTP {response.status_code})"
                )
            if access.signs_out and persona_name != ANONYMOUS:
                _sign_in_again(client)
    assert not mismatches, (
        "These answers differ from ACCESS_TABLE in dasapp/tests/test_access_table.py. "
        "Fix the view, or the table if the new rule is intended:\n" + "\n".join(mismatches)
    )


def test_admin_internals_are_for_staff_with_permission_only(clients):
    path = reverse("admin:dasapp_user_changelist")
    assert clients[SUPERUSER].get(path).status_code == 200
    assert clients[STAFF].get(path).status_code == 403  # staff without that permission
    for persona_name in (ANONYMOUS, Role.SUPERVISOR, Role.DASO):
        response = clients[persona_name].get(path)
        assert response.status_code == 302, persona_name
        assert response["Location"].startswith("/admin/login/"), persona_name
