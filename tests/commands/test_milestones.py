"""Milestones: progress needs a milestone, delivered is final, moves only go later."""

from __future__ import annotations

from datetime import date

from catalogue import (
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    Quarter,
)
from commands.outcome import Status
from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import (
    PERFORMANCE,
    VCTF_RECORDER,
    Clock,
    assert_refused,
    cmd,
    event_id,
    given,
    head,
    progress,
    update,
    written,
)

Q1 = Quarter(2018, 1)


def test_scheduling_records_the_milestone_under_its_topic(
    plan: CommandService, store: EventStore
) -> None:
    """Given a topic and a unit, when scheduled, then MilestoneScheduled with its due quarter."""
    outcome = plan.submit(cmd("ScheduleMilestone", PERFORMANCE, milestone_id="esb",
                              title="Acquisition by MOPAC of ESB complete", topic_id="estates",
                              due_quarter="2018-19 Q1", owner_unit="mopac"))
    assert written(store, outcome) == [MilestoneScheduled(
        milestone_id="esb", title="Acquisition by MOPAC of ESB complete", topic_id="estates",
        due_quarter=Q1, owner_unit="mopac")]


def test_scheduling_needs_a_new_id_a_topic_and_an_owner(plan: CommandService) -> None:
    """Ids are unique; the topic and the owner unit must exist."""
    base = {"title": "t", "topic_id": "estates", "due_quarter": "2018-19-Q1",
            "owner_unit": "mopac"}
    assert_refused(plan.submit(cmd("ScheduleMilestone", PERFORMANCE,
                                   **{**base, "milestone_id": "vctf"})),
                   "milestone_id", "already exists")
    assert_refused(plan.submit(cmd("ScheduleMilestone", PERFORMANCE,
                                   **{**base, "milestone_id": "x", "topic_id": "nope"})),
                   "topic_id", "no topic 'nope'")
    assert_refused(plan.submit(cmd("ScheduleMilestone", PERFORMANCE,
                                   **{**base, "milestone_id": "x", "owner_unit": "nope"})),
                   "owner_unit", "no unit 'nope'")


def test_progress_is_recorded_for_a_scheduled_milestone(
    plan: CommandService, store: EventStore
) -> None:
    """Given the VCTF milestone, when its recorder reports, then MilestoneProgressReported."""
    outcome = plan.submit(progress("delivered"))
    assert written(store, outcome) == [MilestoneProgressReported(
        milestone_id="vctf", quarter=Q1, status="delivered",
        narrative="The taskforce was formed.", as_of=date(2018, 6, 30))]
    (recorded,) = store.read_all(from_position=outcome.first_position or 0)
    assert recorded.occurred_at.date() == date(2018, 6, 29)  # midnight in London, in UTC


def test_progress_on_an_unknown_milestone_is_refused(
    plan: CommandService, store: EventStore
) -> None:
    """A milestone must exist before progress is reported on it."""
    before = head(store)
    assert_refused(plan.submit(progress(milestone_id="lps-designs")), "milestone_id",
                   "no milestone 'lps-designs'")
    assert head(store) == before


def test_progress_may_be_reported_each_quarter_until_delivered(
    plan: CommandService, clock: Clock
) -> None:
    """On track, then some delay, then delivered; afterwards no status is taken."""
    given(plan, progress("on_track", "2018-19-Q1", "2018-06-30"))
    clock.now = clock.now.replace(month=10)
    given(plan, progress("some_delay", "2018-19-Q2", "2018-09-30"),
          progress("delivered", "2018-19-Q2", "2018-09-30"))
    for status in ("on_track", "delivered", "some_delay"):
        assert_refused(plan.submit(progress(status, "2018-19-Q2", "2018-09-30")), "status",
                       "was delivered in 2018-19-Q2", "correct that report")


def test_a_delivered_milestone_changes_status_through_a_correction(
    plan: CommandService, store: EventStore
) -> None:
    """Correcting the delivered report to on track opens the milestone again."""
    (delivered,) = given(plan, progress("delivered"))
    assert_refused(plan.submit(progress("on_track")), "status", "delivered")
    given(plan, cmd("CorrectEvent", VCTF_RECORDER, event_id=event_id(store, delivered),
                    changes={"status": "on_track"}, reason="launch date not yet confirmed"))
    assert plan.submit(progress("some_delay")).status is Status.ACCEPTED


def test_progress_dates_must_have_happened(plan: CommandService) -> None:
    """The quarter has begun, the as-of date is not after today nor before the quarter."""
    assert_refused(plan.submit(progress(quarter="2018-19-Q3", as_of="2018-07-01")), "quarter",
                   "has not begun")
    assert_refused(plan.submit(progress(as_of="2018-07-16")), "as_of",
                   "in the future (today is 2018-07-15)")
    assert_refused(plan.submit(progress(as_of="2018-03-31")), "as_of",
                   "before 2018-19-Q1 began")


def test_a_reschedule_moves_a_milestone_to_a_later_quarter_only(
    plan: CommandService, store: EventStore
) -> None:
    """Given due Q1: to Q2 records from/to quarters; then back to Q1, or to Q2 again, is refused."""
    outcome = plan.submit(cmd("RescheduleMilestone", PERFORMANCE, milestone_id="vctf",
                              to_quarter="2018-19-Q2", reason="recruitment took longer"))
    assert written(store, outcome) == [MilestoneRescheduled(
        milestone_id="vctf", from_quarter=Q1, to_quarter=Quarter(2018, 2),
        reason="recruitment took longer")]
    for quarter in ("2018-19-Q1", "2018-19-Q2", "2017-18-Q4"):
        assert_refused(plan.submit(cmd("RescheduleMilestone", PERFORMANCE, milestone_id="vctf",
                                       to_quarter=quarter, reason="again")),
                       "to_quarter", "must be later than 2018-19-Q2")


def test_a_retracted_reschedule_no_longer_moves_the_milestone(
    plan: CommandService, store: EventStore
) -> None:
    """Retracting the move to Q3 makes Q2 a later quarter again."""
    (moved,) = given(plan, cmd("RescheduleMilestone", PERFORMANCE, milestone_id="vctf",
                               to_quarter="2018-19-Q3", reason="recruitment"))
    given(plan, cmd("RetractEvent", PERFORMANCE, event_id=event_id(store, moved),
                    reason="meant Q2"))
    again = plan.submit(cmd("RescheduleMilestone", PERFORMANCE, milestone_id="vctf",
                            to_quarter="2018-19-Q2", reason="recruitment"))
    assert written(store, again)[0] == MilestoneRescheduled(
        milestone_id="vctf", from_quarter=Q1, to_quarter=Quarter(2018, 2), reason="recruitment")


def test_a_withdrawn_milestone_takes_nothing_more(plan: CommandService, store: EventStore) -> None:
    """After withdrawal: no progress, no reschedule, no second withdrawal, no linked update."""
    outcome = plan.submit(cmd("WithdrawMilestone", PERFORMANCE, milestone_id="vctf",
                              reason="superseded by the new structure"))
    assert written(store, outcome) == [MilestoneWithdrawn(
        milestone_id="vctf", reason="superseded by the new structure")]
    assert_refused(plan.submit(progress()), "milestone_id", "withdrawn")
    assert_refused(plan.submit(cmd("RescheduleMilestone", PERFORMANCE, milestone_id="vctf",
                                   to_quarter="2018-19-Q2", reason="r")),
                   "milestone_id", "withdrawn")
    assert_refused(plan.submit(cmd("WithdrawMilestone", PERFORMANCE, milestone_id="vctf",
                                   reason="again")), "milestone_id", "withdrawn")
    before = head(store)
    assert_refused(plan.submit(update(milestone_id="vctf")), "milestone_id",
                   "milestone 'vctf' was withdrawn")
    assert head(store) == before
    assert plan.submit(update()).status is Status.ACCEPTED  # refused for the link alone
    assert head(store) == before + 1


def test_a_delivered_milestone_is_neither_moved_nor_withdrawn(plan: CommandService) -> None:
    """Delivered is final for reschedules and withdrawals too."""
    given(plan, progress("delivered"))
    assert_refused(plan.submit(cmd("RescheduleMilestone", PERFORMANCE, milestone_id="vctf",
                                   to_quarter="2018-19-Q2", reason="r")),
                   "milestone_id", "was delivered")
    assert_refused(plan.submit(cmd("WithdrawMilestone", PERFORMANCE, milestone_id="vctf",
                                   reason="r")), "milestone_id", "was delivered")


def test_retracting_the_delivered_report_reopens_the_milestone(
    plan: CommandService, store: EventStore
) -> None:
    """Once the delivered report is retracted, progress may be reported again."""
    (delivered,) = given(plan, progress("delivered"))
    given(plan, cmd("RetractEvent", VCTF_RECORDER, event_id=event_id(store, delivered),
                    reason="reported against the wrong milestone"))
    assert plan.submit(progress("on_track")).status is Status.ACCEPTED
