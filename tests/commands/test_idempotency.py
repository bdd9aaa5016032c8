"""One command, one commit: retries answer with the first result; races retry, boundedly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from catalogue import Quarter
from commands.milestones import ReportMilestoneProgress
from commands.outcome import Status
from commands.service import MAX_ATTEMPTS, CommandService, submit
from eventstore import EventStore
from tests.commands.helpers import (
    NOW,
    PLAN,
    VCTF_RECORDER,
    Clock,
    assert_refused,
    cmd,
    first_admin,
    given,
    head,
    progress,
)


def test_the_same_command_twice_records_once_and_answers_with_the_first_result(
    plan: CommandService, store: EventStore
) -> None:
    """The second submission writes nothing and reports the first one's positions."""
    envelope = progress("on_track")
    first = plan.submit(envelope)
    before = head(store)
    again = plan.submit(envelope)
    assert first.status is Status.ACCEPTED and again.status is Status.REPLAYED
    assert (again.first_position, again.last_position, again.event_types) == (
        first.first_position, first.last_position, first.event_types)
    assert head(store) == before


def test_a_retry_answers_even_after_state_has_moved_on(
    plan: CommandService, store: EventStore
) -> None:
    """Once delivered, a fresh report would be refused, but a retried one is answered."""
    envelope = progress("on_track")
    first = plan.submit(envelope)
    given(plan, progress("delivered"))
    again = CommandService(store, clock=Clock()).submit(envelope)
    assert again.status is Status.REPLAYED
    assert again.first_position == first.first_position


def test_the_same_id_with_another_body_is_refused(plan: CommandService, store: EventStore) -> None:
    """A changed field, or another actor, under a used id is refused naming `id`."""
    envelope = progress("on_track")
    given(plan, envelope)
    before = head(store)
    changed = {**envelope, "data": {**envelope["data"], "status": "some_delay"}}
    assert_refused(plan.submit(changed), "id", "already used for a different")
    assert_refused(plan.submit({**envelope, "actor": "someone.else"}), "id", "already used")
    assert head(store) == before


def test_the_body_is_compared_after_validation(plan: CommandService) -> None:
    """Two spellings of the same quarter are the same command."""
    envelope = progress("on_track", quarter="2018-19-Q1")
    given(plan, envelope)
    respelt = {**envelope, "data": {**envelope["data"], "quarter": "2018-19 Q1"}}
    assert plan.submit(respelt).status is Status.REPLAYED


class RacingClock(Clock):
    """A clock that, when read, lets a rival writer commit first (`rounds` times)."""

    def __init__(self, rival: Callable[[int], None], rounds: int) -> None:
        super().__init__(NOW)
        self.rival = rival
        self.rounds = rounds
        self.reads = 0

    def __call__(self) -> datetime:
        self.reads += 1
        if self.reads <= self.rounds:
            self.rival(self.reads)
        return self.now


def racing(store: EventStore, rival_envelope: Callable[[int], dict[str, object]],
           rounds: int) -> CommandService:
    first_admin(store)
    rival = CommandService(store, clock=Clock())
    given(rival, *PLAN)

    def interfere(round_number: int) -> None:
        rival.submit(rival_envelope(round_number))

    service = CommandService(store, clock=RacingClock(interfere, rounds))
    service.catch_up()
    return service


def test_a_command_that_loses_a_race_is_decided_again_on_fresh_state(store: EventStore) -> None:
    """A rival's report lands between deciding and appending: the retry succeeds after it."""
    service = racing(store, lambda _: progress("on_track", as_of="2018-06-29"), rounds=1)
    outcome = service.submit(progress("some_delay"))
    assert outcome.status is Status.ACCEPTED
    assert outcome.attempts == 2
    statuses = [recorded.data["status"] for recorded in store.read_stream("milestone-vctf")[1:]]
    assert statuses == ["on_track", "some_delay"]


def test_the_retry_applies_the_rules_to_what_the_rival_wrote(store: EventStore) -> None:
    """If the rival delivered the milestone, the retried report is refused, not appended."""
    service = racing(store, lambda _: progress("delivered"), rounds=1)
    before = head(store) + 1
    outcome = service.submit(progress("on_track"))
    assert_refused(outcome, "status", "was delivered")
    assert outcome.attempts == 2
    assert head(store) == before


def test_retries_are_bounded(store: EventStore) -> None:
    """A command that loses every race gives up after MAX_ATTEMPTS, having written nothing."""
    service = racing(store, lambda n: progress("on_track", as_of=f"2018-06-{n:02d}"),
                     rounds=MAX_ATTEMPTS)
    outcome = service.submit(progress("some_delay"))
    assert_refused(outcome, "id", "lost the race", "nothing was recorded")
    assert outcome.attempts == MAX_ATTEMPTS
    assert all(recorded.metadata["actor"] == VCTF_RECORDER and
               recorded.data.get("status") != "some_delay"
               for recorded in store.read_stream("milestone-vctf")[1:])


def test_the_same_command_racing_itself_records_once(store: EventStore) -> None:
    """Two writers submit one command at once: one commit, and both get its result."""
    envelope = progress("on_track")
    service = racing(store, lambda _: envelope, rounds=1)
    outcome = service.submit(envelope)
    assert outcome.status is Status.REPLAYED
    reports = [recorded for recorded in store.read_stream("milestone-vctf")
               if recorded.metadata["command_id"] == envelope["id"]]
    assert len(reports) == 1
    assert outcome.first_position == reports[0].position


def test_a_dry_run_writes_nothing_yet_sees_the_commands_before_it(
    store: EventStore,
) -> None:
    """In a dry run a topic may use the theme defined two lines earlier; the log keeps only
    the admin the operator made."""
    first_admin(store)
    dry = CommandService(store, clock=Clock(), dry_run=True)
    outcomes = list(dry.submit_all(PLAN))
    assert [outcome.status for outcome in outcomes] == [Status.VALID] * len(PLAN)
    assert_refused(dry.submit(cmd("DefineTopic", "it.admin", topic_id="violent-crime",
                                  theme=2, title="Again")), "topic_id", "already exists")
    assert head(store) == 1


def test_typed_commands_are_submitted_with_an_id(plan: CommandService, store: EventStore) -> None:
    """The Python API takes a command object and its id; without an id it is refused."""
    command = ReportMilestoneProgress(milestone_id="vctf", quarter=Quarter(2018, 1),
                                      status="on_track", narrative="Recruitment under way.",
                                      as_of=date(2018, 6, 30))
    assert_refused(plan.submit(command, VCTF_RECORDER), "id", "required")
    outcome = submit(store, command, VCTF_RECORDER, Clock(), command_id="q1/vctf-progress")
    assert outcome.status is Status.ACCEPTED
    again = plan.submit(command, VCTF_RECORDER, command_id="q1/vctf-progress")
    assert again.status is Status.REPLAYED


def test_a_service_writing_alone_reads_nothing_before_a_command(
        store: EventStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once it has read the log, a service alone on it decides on its model and appends;
    when another writer moved the log on, the append is refused under the lock and the
    command decided again on the log as it is (so a rival's act is never missed)."""
    first_admin(store)
    service = CommandService(store, clock=Clock())
    given(service, *PLAN)
    reads: list[int] = []
    read_all = store.read_all

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return read_all(*args, **kwargs)

    monkeypatch.setattr(store, "read_all", counted)
    alone = service.submit(progress("on_track", as_of="2018-06-28"))
    assert alone.status is Status.ACCEPTED and alone.attempts == 1
    assert reads == []
    rival = CommandService(store, clock=Clock()).submit(progress("delivered"))
    assert rival.accepted, rival.describe()
    after = service.submit(progress("on_track"))
    assert_refused(after, "status", "was delivered")
    assert service.state.position == store.head().position
