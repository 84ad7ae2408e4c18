"""The access-log page and its CSV export: rows in words (names, references, purposes),
filters by who, when, which person or record and what kind of access, pages by date
(keyset), and the export, itself logged as a disclosure. Supervisors only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dasapp import selectors, services
from dasapp.models import AccessLog
from dasapp.roles import Role

NAME = ("Marnie", "Quillfeather")
OTHER = ("Tamsin", "Holloway")


@pytest.fixture
def person(org):
    from people import services as case_services

    return case_services.person_create(
        data=case_services.PersonInput(given_name=NAME[0], family_name=NAME[1])
    )


@pytest.fixture
def other_person(org):
    from people import services as case_services

    return case_services.person_create(
        data=case_services.PersonInput(given_name=OTHER[0], family_name=OTHER[1])
    )


@pytest.fixture
def daso(persona):
    return persona(Role.DASO, username="daso-ada")


@pytest.fixture
def case(person, daso):
    from cases import case_services

    made, _ = case_services.case_open_or_join(
        victim=person, perpetrator=None, level="high", user=daso
    )
    return made


@pytest.fixture
def queue(org):
    from cases import case_services
    from cases.choices import QueueKind
    from org.models import Team

    return case_services.queue_for(
        team=Team.objects.get(code="hub-laindon"), kind=QueueKind.HUB_HIGH
    )


@pytest.fixture
def supervisor(client_for):
    return client_for(Role.SUPERVISOR)


def log(user, *, at=None, action="consult", obj=None, **fields) -> AccessLog:
    if at is None:
        return services.access_record(user=user, action=action, obj=obj, **fields)
    # A row placed in time (the service stamps the present).
    if obj is not None:
        fields |= {"object_type": obj._meta.label_lower, "object_id": str(obj.pk)}
    return AccessLog.objects.create(user=user, action=action, at=at, **fields)


def rows(response) -> list[str]:
    page = response.content.decode()
    found = re.findall(
        r'<tr class="govuk-table__row" data-testid="access-log-row">(.*?)</tr>', page, re.S
    )
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in found]


# In words -------------------------------------------------------------------------------


def test_rows_name_the_person_the_case_the_call_and_say_the_purpose_in_words(
    supervisor, daso, person, case, queue
):
    from calls.models import Incident

    incident = Incident.objects.create(created_by=daso, created_at=timezone.now())
    log(daso, obj=person, person_id=person.pk, purpose="Checking before a home visit")
    log(daso, obj=case, person_id=person.pk, work_item=f"queue:{queue.pk}")
    log(daso, obj=incident, work_item=f"incident:{incident.pk}")
    log(daso, obj=case, person_id=person.pk, work_item=f"case:{case.pk}")
    response = supervisor.get("/access-log/")
    assert response.status_code == 200
    page = response.content.decode()
    found = rows(response)
    assert len(found) == 4
    assert f"Case {case.reference} ({NAME[0]} {NAME[1]})" in found[0]
    assert f"Working case {case.reference}" in found[0]
    assert f"Call {incident.reference}" in found[1]
    assert f"Handling call {incident.reference}" in found[1]
    assert "Working the high-risk queue (Laindon hub)" in found[2] or (
        f"Working the high-risk queue ({queue.team.name})" in found[2]
    )
    assert f"Person {NAME[0]} {NAME[1]}" in found[3]
    assert "Purpose given: Checking before a home visit" in found[3]
    for raw in ("calls.incident:", "cases.case:", "queue:", "people.person:"):
        assert raw not in page


def test_a_supervisor_opening_a_call_reads_as_what_happened_not_as_a_purpose_given(
    supervisor, daso
):
    """Nobody is asked a purpose on the call's page: the log says what happened and
    never "Purpose given" for words the user did not type."""
    from calls.choices import IncidentStatus
    from calls.models import Incident

    incident = Incident.objects.create(
        created_by=daso, created_at=timezone.now(), status=IncidentStatus.CLOSED
    )
    assert supervisor.get(f"/calls/{incident.pk}/").status_code == 200
    found = [row.replace("&#x27;", "'") for row in rows(supervisor.get("/access-log/"))]
    assert found and all(f"Call {incident.reference}" in row for row in found)
    assert any("Opened the call's page" in row for row in found)
    for row in found:
        assert "Purpose given" not in row
        assert "Viewed incident" not in row


def test_a_reason_the_page_recorded_reads_as_it_is_and_only_typed_words_as_purpose_given(
    supervisor, daso, person
):
    log(daso, obj=person, person_id=person.pk, reason="Recorded a new person")
    log(daso, obj=person, person_id=person.pk, purpose="Checking before a home visit")
    typed, recorded = rows(supervisor.get("/access-log/"))
    assert "Purpose given: Checking before a home visit" in typed
    assert "Recorded a new person" in recorded
    assert "Purpose given" not in recorded and "No purpose recorded" not in recorded


def test_reading_who_saw_a_record_is_logged_as_reading_the_access_log(supervisor, person):
    supervisor.get(f"/access-log/?person={person.pk}")
    row = AccessLog.objects.get(object_type="dasapp.accesslog")
    assert row.purpose == ""  # nobody typed one
    found = rows(supervisor.get("/access-log/"))
    assert "Reading the access log" in found[0]
    assert "No purpose recorded" not in found[0]


def test_a_record_no_longer_held_and_a_kind_not_registered_still_read_as_words(supervisor, daso):
    log(daso, object_type="cases.case", object_id=987654, work_item="banana:3")
    log(daso, action="search", object_type="people.person", detail={"fields": ["name"]})
    found = rows(supervisor.get("/access-log/"))
    assert "Person (a search)" in found[0]
    assert "Case 987654 (no longer held)" in found[1]
    assert "From banana 3" in found[1]


@pytest.mark.parametrize("count", [10, 60])
def test_a_page_is_read_in_a_fixed_number_of_queries(
    supervisor,
    daso,
    persona,
    person,
    other_person,
    case,
    queue,
    count,
    django_assert_max_num_queries,
):
    from calls.models import Incident

    incident = Incident.objects.create(created_by=daso, created_at=timezone.now())
    others = [persona(Role.DASO) for _ in range(3)]
    kinds = [
        {"obj": person, "person_id": person.pk, "purpose": "Visit"},
        {"obj": other_person, "person_id": other_person.pk},
        {"obj": case, "person_id": person.pk, "work_item": f"queue:{queue.pk}"},
        {"obj": incident, "work_item": f"incident:{incident.pk}"},
        {"obj": case, "work_item": f"case:{case.pk}"},
    ]
    for n in range(count):
        log([daso, *others][n % 4], **kinds[n % len(kinds)])
    # Session and user, roles, the page and its users, one read per record type and per
    # work-item kind: the same for 10 rows as for a full page of 50.
    with django_assert_max_num_queries(14):
        response = supervisor.get("/access-log/")
    assert len(rows(response)) == min(count, selectors.PAGE_SIZE)


# Filters --------------------------------------------------------------------------------


def test_filter_by_user(supervisor, daso, persona, person):
    someone = persona(Role.DASO, first_name="Bryony", last_name="Castell")
    log(daso, obj=person, person_id=person.pk, purpose="Mine")
    log(someone, obj=person, person_id=person.pk, purpose="Theirs")
    found = rows(supervisor.get(f"/access-log/?user={someone.pk}"))
    assert len(found) == 1
    assert "Purpose given: Theirs" in found[0]


def test_filter_by_kind_of_access(supervisor, daso, person):
    log(daso, obj=person, person_id=person.pk)
    log(daso, action="alter", obj=person, person_id=person.pk, detail={"change": "correct_name"})
    found = rows(supervisor.get("/access-log/?action=alter"))
    assert len(found) == 1
    assert "Altered" in found[0]
    assert "Change: correct name" in found[0]


def test_filter_by_person_from_her_record_link(supervisor, daso, person, other_person, case):
    log(daso, obj=person, person_id=person.pk, purpose="Hers")
    log(daso, obj=case, person_id=person.pk, purpose="Her case")
    log(daso, obj=other_person, person_id=other_person.pk, purpose="Someone else")
    response = supervisor.get(f"/access-log/?person={person.pk}")
    found = rows(response)
    assert [r.split("Purpose given: ")[1] for r in found] == ["Her case", "Hers"]
    assert f"Showing who viewed: <strong>Person {NAME[0]} {NAME[1]}</strong>" in (
        response.content.decode()
    )
    # Reading who saw her record is itself a look-up on the log (ids only).
    search = AccessLog.objects.filter(user=supervisor.user, action="search").get()
    assert search.detail == {
        "filter": {"person": str(person.pk)},
        "reason": "Reading the access log",
    }


def test_filter_by_case_reference(supervisor, daso, person, case):
    log(daso, obj=person, person_id=person.pk, purpose="Person only")
    log(daso, obj=case, person_id=person.pk, purpose="The case")
    for typed in (case.reference, case.reference.lower(), f"C-{case.pk}"):
        found = rows(supervisor.get("/access-log/", {"record": typed}))
        assert len(found) == 1, typed
        assert "Purpose given: The case" in found[0]


def test_an_unknown_reference_is_an_error_not_an_empty_page(supervisor):
    response = supervisor.get("/access-log/?record=Marnie")
    assert response.status_code == 400
    assert "Enter a case, call or DV1 reference" in response.content.decode()


def test_filter_by_date_range_uses_london_days(supervisor, daso, person):
    # 23:30 UTC on 14 June is 00:30 on 15 June in London (BST).
    late = dt.datetime(2026, 6, 14, 23, 30, tzinfo=dt.UTC)
    log(daso, obj=person, person_id=person.pk, purpose="Fifteenth", at=late)
    log(
        daso, obj=person, person_id=person.pk, purpose="Fourteenth", at=late - dt.timedelta(hours=2)
    )
    log(daso, obj=person, person_id=person.pk, purpose="Sixteenth", at=late + dt.timedelta(days=1))

    def purposes(query: dict) -> list[str]:
        return [r.split("Purpose given: ")[1] for r in rows(supervisor.get("/access-log/", query))]

    day = {"from_day": "15", "from_month": "6", "from_year": "2026"}
    assert purposes(day | {"to_day": "15", "to_month": "6", "to_year": "2026"}) == ["Fifteenth"]
    assert purposes(day) == ["Sixteenth", "Fifteenth"]
    assert purposes({"to_day": "14", "to_month": "6", "to_year": "2026"}) == ["Fourteenth"]


def test_a_date_that_is_not_real_says_so(supervisor):
    response = supervisor.get("/access-log/?from_day=31&from_month=2&from_year=2026")
    assert response.status_code == 400
    assert "The date from must be a real date" in response.content.decode()
    response = supervisor.get("/access-log/?to_day=3&to_month=&to_year=2026")
    assert "The date to must include a month" in response.content.decode()


# Paging by date -----------------------------------------------------------------------


def test_pages_by_keyset_newest_first_with_ties_on_the_same_moment(supervisor, daso, person):
    moment = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    made = []
    for n in range(60):
        # Pairs of rows share a moment, so the page boundary falls inside a tie.
        made.append(
            log(
                daso,
                obj=person,
                person_id=person.pk,
                purpose=f"n{n:02d}",
                at=moment + dt.timedelta(seconds=n // 2),
            )
        )
    first = supervisor.get("/access-log/")
    page = first.content.decode()
    first_rows = rows(first)
    assert len(first_rows) == 50
    assert "Purpose given: n59" in first_rows[0]
    assert "Purpose given: n10" in first_rows[-1]
    older = re.search(r'href="\?before=([0-9.]+)" rel="next"', page)
    assert older and "page=" not in page and "Newer entries" not in page
    second = supervisor.get(f"/access-log/?before={older[1]}")
    second_rows = rows(second)
    assert [r.split("Purpose given: ")[1] for r in second_rows] == [
        f"n{n:02d}" for n in range(9, -1, -1)
    ]
    assert "Older entries" not in second.content.decode()
    newer = re.search(r'href="\?after=([0-9.]+)" rel="prev"', second.content.decode())
    assert newer
    back = rows(supervisor.get(f"/access-log/?after={newer[1]}"))
    assert back == first_rows


def test_paging_keeps_the_filters(supervisor, daso, persona, person):
    someone = persona(Role.DASO)
    for n in range(55):
        log(someone, obj=person, person_id=person.pk, purpose=f"n{n}")
    log(daso, obj=person, person_id=person.pk, purpose="not theirs")
    page = supervisor.get(f"/access-log/?user={someone.pk}").content.decode()
    assert f'href="?user={someone.pk}&amp;before=' in page


def test_a_cursor_that_is_not_one_shows_the_newest_page(supervisor, daso, person):
    log(daso, obj=person, person_id=person.pk)
    for bad in ("x", "1.2.3", "99999999999999999999.1", "-5.1"):
        response = supervisor.get("/access-log/", {"before": bad})
        assert response.status_code == 200, bad
        assert len(rows(response)) == 1


@pytest.mark.postgres
def test_a_deep_page_is_an_index_range_scan_on_postgresql(daso, person):
    if connection.vendor != "postgresql":
        pytest.skip("The plan is PostgreSQL's.")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    AccessLog.objects.bulk_create(
        AccessLog(
            user=daso,
            action="consult",
            object_type="people.person",
            object_id=str(person.pk),
            person_id=person.pk,
            at=start + dt.timedelta(seconds=n),
        )
        for n in range(20_000)
    )
    # A cursor deep in the log: half of it is newer.
    entry = AccessLog.objects.order_by("at", "id")[10_000]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dasapp_accesslog")
    with CaptureQueriesContext(connection) as queries:
        page = selectors.access_log_page(
            AccessLog.objects.all(), before=selectors.cursor_for(entry)
        )
    assert page.entries[0].pk < entry.pk
    # The page's own query, as the selector sent it (the users' read comes after it).
    page_sql = queries.captured_queries[0]["sql"]
    assert "count(" not in page_sql.lower() and "offset" not in page_sql.lower()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {page_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan Backward using accesslog_at_id" in plan, plan
    assert "accesslog_at_id" in plan, plan
    assert "Index Cond" in plan, plan  # the cursor bounds the scan, not a filter over it
    assert "Sort" not in plan, plan
    assert "count(" not in plan.lower()


# Export ---------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_export_streams_the_filtered_rows_in_words_and_logs_the_disclosure(
    supervisor, daso, persona, person, case
):
    someone = persona(Role.DASO)
    log(daso, obj=case, person_id=person.pk, work_item=f"case:{case.pk}")
    log(someone, obj=person, person_id=person.pk, purpose='=HYPERLINK("http://x")')
    response = supervisor.get(f"/access-log/export.csv?person={person.pk}&user={daso.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
    table = _csv(response)
    assert table[0][:6] == ["When (UK time)", "Who", "Username", "Did", "Channel", "Record"]
    assert len(table) == 2
    assert table[1][2] == daso.username
    assert table[1][5] == f"Case {case.reference} ({NAME[0]} {NAME[1]})"
    assert table[1][7] == f"Working case {case.reference}"

    disclosure = AccessLog.objects.get(action=AccessLog.Action.DISCLOSE)
    assert disclosure.user == supervisor.user
    assert supervisor.user.username in disclosure.recipient
    assert disclosure.object_type == "dasapp.accesslog"
    assert disclosure.detail["filter"] == {"person": str(person.pk), "user": str(daso.pk)}


def test_export_keeps_a_typed_formula_as_text(supervisor, persona, person):
    # A name or purpose typed as a formula must not run when the file is opened.
    odd = persona(Role.DASO, first_name='=HYPERLINK("http://x")', last_name="")
    log(odd, obj=person, person_id=person.pk, purpose="+1 visit")
    table = _csv(supervisor.get(f"/access-log/export.csv?user={odd.pk}"))
    assert table[1][1] == '\'=HYPERLINK("http://x")'
    assert table[1][7] == "Purpose given: +1 visit"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)


def test_the_page_links_to_the_export_with_its_filters(supervisor, daso):
    page = supervisor.get(f"/access-log/?user={daso.pk}&action=consult").content.decode()
    assert f'href="/access-log/export.csv?user={daso.pk}&amp;action=consult"' in page


# Who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SUPERVISOR])
def test_the_log_and_its_export_are_refused_to_other_roles(client_for, role):
    c = client_for(role)
    assert c.get("/access-log/").status_code == 403
    assert c.get("/access-log/export.csv").status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.DISCLOSE).exists()


def test_the_export_sends_anonymous_users_to_sign_in(client, db):
    response = client.get("/access-log/export.csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


# "Who viewed this record" ---------------------------------------------------------------


def test_person_and_case_pages_link_supervisors_to_who_viewed_them(supervisor, person, case):
    response = supervisor.get(f"/people/{person.pk}/?via=case:{case.pk}")
    assert response.status_code == 200
    assert f'href="/access-log/?person={person.pk}"' in response.content.decode()
    response = supervisor.get(f"/cases/{case.pk}/")
    if b"Why are you viewing this record?" in response.content:
        supervisor.post(f"/cases/{case.pk}/", {"purpose": "Supervision"})
        response = supervisor.get(f"/cases/{case.pk}/")
    assert f'href="/access-log/?record={case.reference}"' in response.content.decode()


def test_other_roles_see_no_who_viewed_link(client_for, person, case, daso):
    from django.test import Client

    c = Client()
    c.force_login(daso)
    page = c.get(f"/people/{person.pk}/?via=case:{case.pk}").content.decode()
    assert NAME[1] in page
    assert "Who viewed this record" not in page
