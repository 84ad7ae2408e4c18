"""The one optimistic-lock rule every service uses (`dasapp.history.version_check`)."""

from __future__ import annotations

import pytest

from cases.tests.factories import PersonFactory
from dasapp.api import ConflictError
from dasapp.history import audited_save, version_check
from dasapp.roles import Role

pytestmark = pytest.mark.django_db


def test_a_stale_version_is_refused_with_both_versions_named():
    person = PersonFactory()
    person.version = 3
    with pytest.raises(ConflictError) as refused:
        version_check(person, 2, what="record")
    assert refused.value.errors == {
        "version": ["You had version 2; the record is now at version 3"]
    }
    assert "Someone else changed this record" in refused.value.message
    version_check(person, 3, what="record")  # current: fine
    version_check(person, None, what="record")  # nothing to check


def test_ones_own_saves_arriving_out_of_order_are_not_a_conflict(persona):
    me, colleague = persona(Role.CALL_TAKER), persona(Role.CALL_TAKER)
    person = PersonFactory()
    person.version = 2
    audited_save(person, user=me, reason="autosave")
    version_check(person, 1, what="record", user=me)  # my own later save: fine
    person.version = 3
    audited_save(person, user=colleague, reason="their change")
    with pytest.raises(ConflictError):
        version_check(person, 2, what="record", user=me, message="Reload to see theirs.")


def test_a_long_reason_is_kept_in_full_in_the_history(persona):
    """A supervisor auditing a case reads every word of why: a reason is not cut at 100
    characters (simple-history's default column)."""
    reason = (
        "Chose priority, not emergency: the suspect is in custody at Colchester until "
        "tomorrow morning, confirmed with the custody sergeant by phone; the caller is safe "
        "with her sister and asked for a visit, not an emergency response."
    )
    assert len(reason) > 200
    person = PersonFactory()
    audited_save(person, user=persona(Role.SUPERVISOR), reason=reason)
    assert person.history.first().history_change_reason == reason
