"""Two DASOs claim the same case at the same moment: exactly one wins.

On PostgreSQL two threads, each with its own database connection, start together (a
barrier) and claim the same case; the first claim is slowed down while it holds the row,
so without the row lock both would read "unassigned" and both would win. On SQLite (one
writer at a time) the same rule is checked with two claims one after the other."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.db import connection, connections

from cases import assignment_services as services
from cases.tests.test_assignment_services import with_colleagues
from cases.tests.test_casework_views import hub_queue, make_people, queue_case
from dasapp.api import ConflictError
from dasapp.history import audited_save

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so two connections cannot race here",
)


def claim_rows(case) -> list[str]:
    return [
        h.history_change_reason
        for h in case.history.all()
        if (h.history_change_reason or "").startswith("Claimed")
    ]


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_claims_on_postgresql_exactly_one_wins(org, persona):
    people = with_colleagues(make_people(persona), persona)
    case = queue_case(hub_queue())
    claimers = [people["hub_daso"], people["hub_colleague"]]
    barrier = threading.Barrier(len(claimers), timeout=10)
    outcomes: dict[int, object] = {}

    def slow_save(obj, **kwargs):
        # Hold the row a little while inside the transaction, as a busy server would.
        time.sleep(0.3)
        return audited_save(obj, **kwargs)

    def claim(user):
        try:
            barrier.wait()
            services.case_claim(case=case, user=user)
            outcomes[user.pk] = "won"
        except Exception as exc:  # noqa: BLE001 - the test reads what each thread got
            outcomes[user.pk] = exc
        finally:
            connections.close_all()

    with mock.patch.object(services, "audited_save", slow_save):
        threads = [threading.Thread(target=claim, args=(user,)) for user in claimers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    winners = [pk for pk, outcome in outcomes.items() if outcome == "won"]
    losers = [outcome for outcome in outcomes.values() if outcome != "won"]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], ConflictError), outcomes
    winner = next(u for u in claimers if u.pk == winners[0])
    assert losers[0].message.startswith(f"Already claimed by {winner.get_full_name()} at ")
    case.refresh_from_db()
    assert case.assigned_to_id == winner.pk
    assert len(claim_rows(case)) == 1


def test_a_second_claim_after_the_first_is_refused(org, persona):
    people = with_colleagues(make_people(persona), persona)
    case = queue_case(hub_queue())

    services.case_claim(case=case, user=people["hub_daso"])
    with pytest.raises(ConflictError, match="^Already claimed by Dee Ash at "):
        services.case_claim(case=case, user=people["hub_colleague"])

    case.refresh_from_db()
    assert case.assigned_to == people["hub_daso"]
    assert claim_rows(case) == ["Claimed by Dee Ash"]
