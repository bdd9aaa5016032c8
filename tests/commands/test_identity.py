"""Identity: tokens issued by admins and checked by hash, channels on every event, roles
revoked from their position, and `require` for acts that are not commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from catalogue import TokenIssued, TokenRevoked, from_recorded
from commands.errors import Forbidden, Refused
from commands.identity import (
    api,
    authenticate,
    direct,
    issue_token,
    list_tokens,
    revoke_token,
)
from commands.identity.tables import tokens
from commands.identity.tokens import secret_hash
from commands.permissions import ACTS, require
from commands.service import CommandService
from eventstore import EventStore
from opslog.database import initialise
from tests.commands.helpers import (
    ADMIN,
    AUDITOR,
    PERFORMANCE,
    VCTF_RECORDER,
    assert_refused,
    cmd,
    given,
    head,
    progress,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def planned(store: EventStore, plan: CommandService) -> EventStore:
    """The plan (every role), with the write side's tables (tokens) made by `opslog init`."""
    initialise(store)
    return store


def rows(store: EventStore) -> list[dict[str, object]]:
    with store.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(sa.select(tokens))]


def test_an_issued_token_authenticates_its_actor_and_only_its_hash_is_kept(
    planned: EventStore,
) -> None:
    """Given an admin, when a token is issued for the VCTF recorder, then its secret (256
    random bits) authenticates that actor; the table keeps the SHA-256 only, and the log
    records TokenIssued with who issued it and the channel, holding neither secret nor
    hash."""
    issued = issue_token(planned, actor=VCTF_RECORDER, issued_by=ADMIN,
                         expires_in=timedelta(days=90), channel=direct(), now=NOW)
    assert len(issued.secret) >= 43 and issued.token_id.startswith("tok-")
    principal = authenticate(planned, issued.secret, now=NOW + timedelta(days=1))
    assert principal is not None
    assert (principal.actor, principal.token_id) == (VCTF_RECORDER, issued.token_id)
    (row,) = rows(planned)
    assert row["secret_sha256"] == secret_hash(issued.secret)
    assert issued.secret not in json.dumps(row, default=str)
    (recorded,) = planned.read_stream(f"token-{issued.token_id}")
    assert from_recorded(recorded).event == TokenIssued(
        token_id=issued.token_id, actor=VCTF_RECORDER, expires_at=NOW + timedelta(days=90))
    assert recorded.metadata["actor"] == ADMIN
    assert recorded.metadata["channel"]["kind"] == "direct"
    text = json.dumps([recorded.data, recorded.metadata])
    assert issued.secret not in text and secret_hash(issued.secret) not in text


def test_a_wrong_expired_or_revoked_token_authenticates_no_one(planned: EventStore) -> None:
    """Given issued tokens, then a wrong secret, one past its expiry and one revoked are
    each None; the revocation is recorded as TokenRevoked by the admin who made it."""
    issued = issue_token(planned, actor=PERFORMANCE, issued_by=ADMIN,
                         expires_in=timedelta(hours=1), channel=direct(), now=NOW)
    assert authenticate(planned, issued.secret, now=NOW + timedelta(minutes=59)) is not None
    assert authenticate(planned, issued.secret, now=NOW + timedelta(hours=1)) is None
    for wrong in ("", issued.secret[:-1], issued.secret + "x", "x" * 10_000, "\ud800"):
        assert authenticate(planned, wrong, now=NOW) is None
    lasting = issue_token(planned, actor=PERFORMANCE, issued_by=ADMIN, expires_in=None,
                          channel=api("tok-" + "0" * 32), now=NOW)
    assert authenticate(planned.engine, lasting.secret, now=NOW + timedelta(days=3650))
    revoked = revoke_token(planned, lasting.token_id, revoked_by=ADMIN, channel=direct(),
                           now=NOW + timedelta(days=1))
    assert revoked.revoked_by == ADMIN and revoked.state(NOW + timedelta(days=2)) == "revoked"
    assert authenticate(planned, lasting.secret, now=NOW + timedelta(days=2)) is None
    *_, last = planned.read_stream(f"token-{lasting.token_id}")
    assert from_recorded(last).event == TokenRevoked(token_id=lasting.token_id,
                                                     actor=PERFORMANCE)
    assert last.metadata["actor"] == ADMIN


def test_revoking_twice_or_an_unknown_token_is_refused_on_token_id(planned: EventStore) -> None:
    issued = issue_token(planned, actor=PERFORMANCE, issued_by=ADMIN, expires_in=None,
                         channel=direct(), now=NOW)
    revoke_token(planned, issued.token_id, revoked_by=ADMIN, channel=direct())
    before = head(planned)
    for token_id in (issued.token_id, "tok-" + "f" * 32, "x" * 500):
        with pytest.raises(Refused) as refused:
            revoke_token(planned, token_id, revoked_by=ADMIN, channel=direct())
        assert refused.value.field == "token_id"
    assert head(planned) == before


@pytest.mark.parametrize("who", [PERFORMANCE, VCTF_RECORDER, AUDITOR, "visitor.no-role"])
def test_only_an_admin_issues_or_revokes_tokens(planned: EventStore, who: str) -> None:
    """Given any actor but an admin, when they issue or revoke a token, then it is
    Forbidden on actor and nothing is written."""
    issued = issue_token(planned, actor=PERFORMANCE, issued_by=ADMIN, expires_in=None,
                         channel=direct(), now=NOW)
    before, kept = head(planned), rows(planned)
    with pytest.raises(Forbidden) as issuing:
        issue_token(planned, actor=who, issued_by=who, expires_in=None, channel=direct())
    with pytest.raises(Forbidden) as revoking:
        revoke_token(planned, issued.token_id, revoked_by=who, channel=direct())
    assert issuing.value.field == revoking.value.field == "actor"
    assert "needs admin" in issuing.value.reason
    assert head(planned) == before and rows(planned) == kept


def test_a_bad_token_actor_or_expiry_is_refused_naming_it(planned: EventStore) -> None:
    before = head(planned)
    with pytest.raises(Refused) as bad_actor:
        issue_token(planned, actor="Not An Actor", issued_by=ADMIN, expires_in=None,
                    channel=direct())
    assert bad_actor.value.field == "actor" and not isinstance(bad_actor.value, Forbidden)
    with pytest.raises(Refused) as bad_expiry:
        issue_token(planned, actor=PERFORMANCE, issued_by=ADMIN,
                    expires_in=timedelta(0), channel=direct())
    assert bad_expiry.value.field == "expires"
    assert head(planned) == before and rows(planned) == []


def test_list_tokens_shows_each_token_and_its_state_never_a_hash(planned: EventStore) -> None:
    first = issue_token(planned, actor=PERFORMANCE, issued_by=ADMIN,
                        expires_in=timedelta(days=1), channel=direct(), now=NOW)
    second = issue_token(planned, actor=VCTF_RECORDER, issued_by=ADMIN, expires_in=None,
                         channel=direct(), now=NOW + timedelta(seconds=1))
    revoke_token(planned, second.token_id, revoked_by=ADMIN, channel=direct(),
                 now=NOW + timedelta(hours=1))
    listed = list_tokens(planned)
    assert [(info.token_id, info.actor, info.state(NOW + timedelta(hours=2)))
            for info in listed] == [(first.token_id, PERFORMANCE, "active"),
                                    (second.token_id, VCTF_RECORDER, "revoked")]
    assert listed[0].state(NOW + timedelta(days=1)) == "expired"
    assert not any(hasattr(info, "secret_sha256") for info in listed)


def test_an_api_channel_is_recorded_on_every_event_of_a_command(planned: EventStore) -> None:
    """Given a service on the api channel of a token, when a command is accepted, then
    each of its events names the channel and the token id."""
    issued = issue_token(planned, actor=VCTF_RECORDER, issued_by=ADMIN, expires_in=None,
                         channel=direct())
    service = CommandService(planned, channel=api(issued.token_id))
    outcome = service.submit(progress(), VCTF_RECORDER)
    assert outcome.accepted, outcome.describe()
    events = list(planned.read_all(from_position=outcome.first_position))
    assert events and all(event.metadata["channel"] == {"kind": "api",
                                                        "token_id": issued.token_id}
                          for event in events)


def test_a_revoked_role_is_refused_from_its_position_on(
    plan: CommandService, store: EventStore
) -> None:
    """Given a recorder who reported progress, when the admin revokes the role, then the
    report before stays and the recorder's next command is Forbidden on actor."""
    before = given(plan, progress(as_of="2018-06-29"))[0]
    given(plan, cmd("RevokeRole", ADMIN, actor=VCTF_RECORDER, role="recorder", unit_id="vctf"))
    after = plan.submit(progress(as_of="2018-06-30"))
    assert_refused(after, "actor", "holds no role")
    assert after.forbidden
    assert before.first_position is not None
    assert [event.type for event in store.read_all(from_position=before.first_position)] == [
        "MilestoneProgressReported", "RoleRevoked"]
    with pytest.raises(Forbidden):
        require(store, VCTF_RECORDER, "read")


def test_revoke_role_needs_an_admin_a_held_role_and_another_admin_left(
    plan: CommandService, store: EventStore
) -> None:
    before = head(store)
    assert_refused(plan.submit(cmd("RevokeRole", PERFORMANCE, actor=VCTF_RECORDER,
                                   role="recorder", unit_id="vctf")), "actor", "needs the admin")
    assert_refused(plan.submit(cmd("RevokeRole", ADMIN, actor=VCTF_RECORDER,
                                   role="recorder", unit_id="south-west")), "role",
                   "is not recorder for south-west")
    assert_refused(plan.submit(cmd("RevokeRole", ADMIN, actor=ADMIN, role="admin")),
                   "actor", "last admin")
    assert head(store) == before


ALLOWED = {
    "tokens": {"admin"}, "import": {"admin"}, "erase": {"admin"},
    "publish": {"admin", "performance"},
    "snapshot": {"admin", "performance"},
    "read": {"admin", "performance", "recorder", "auditor"},
}
"""Written out by hand from the trust model in docs/security.md."""


def test_require_allows_each_act_to_exactly_its_roles(plan: CommandService,
                                                      store: EventStore) -> None:
    assert set(ACTS) == set(ALLOWED)
    actors = {"admin": ADMIN, "performance": PERFORMANCE, "recorder": VCTF_RECORDER,
              "auditor": AUDITOR, "nobody": "visitor.no-role"}
    for act, roles in ALLOWED.items():
        for role, actor in actors.items():
            if role in roles:
                assert require(store, actor, act).role == role
            else:
                with pytest.raises(Forbidden) as refused:
                    require(plan.catch_up(), actor, act)
                assert refused.value.field == "actor" and repr(actor) in refused.value.reason
