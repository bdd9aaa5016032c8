"""A restatement says why and in which release: the Met's 25 April 2019 release restated
total notifiable offences for 2017-18 from 827,225 to 829,418."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from catalogue import IndicatorValueRecorded, decode
from commands.outcome import Status
from commands.service import CommandService
from eventstore import EventStore, NewEvent
from tests.commands.helpers import Clock, assert_refused, given, head, written
from tests.commands.test_indicators import define, value

RELEASE_2019 = "MPS recorded crime: end of year statistics 2018-19"
WHY = "late crime recording audit returns added to 2017-18"


def restated(**more: Any) -> dict[str, Any]:
    return value("2017-18", "829418", released_on="2019-04-25", source=RELEASE_2019, **more)


def test_a_restatement_records_its_reason_and_release(plan: CommandService, store: EventStore,
                                                       clock: Clock) -> None:
    """Given 827,225 for 2017-18, when the 25 April 2019 release restates it with a reason,
    then the value event carries the new figure, the publication, its date and the reason."""
    given(plan, define(), value("2017-18", "827225", released_on="2018-04-19"))
    clock.now = datetime(2019, 4, 26, 9, tzinfo=UTC)
    (event,) = written(store, plan.submit(restated(reason=WHY)))
    assert event == IndicatorValueRecorded(
        indicator_id="tno", period="2017-18", value=Decimal("829418"), source=RELEASE_2019,
        released_on=date(2019, 4, 25), reason=WHY)
    current = plan.state.indicators["tno"].current("2017-18")
    assert current is not None and current.value == Decimal("829418")


def test_a_restatement_without_a_reason_is_refused(plan: CommandService, store: EventStore,
                                                   clock: Clock) -> None:
    """Given a value for the period, when a new one comes without a reason, then it is
    refused on `reason`, naming the value it would restate, and nothing is written."""
    given(plan, define(), value("2017-18", "827225", released_on="2018-04-19"))
    clock.now = datetime(2019, 4, 26, 9, tzinfo=UTC)
    before = head(store)
    assert_refused(plan.submit(restated()), "reason", "827,225", "a restatement says why")
    assert head(store) == before


def test_a_first_value_needs_no_reason(plan: CommandService, store: EventStore) -> None:
    """Given no value for the period, a value is accepted with or without a reason: it
    restates nothing."""
    given(plan, define())
    (first,) = written(store, plan.submit(value("2017-18", "827225")))
    assert isinstance(first, IndicatorValueRecorded) and first.reason is None
    assert plan.submit(value("2016-17", "777458", reason="first year of the series")
                       ).status is Status.ACCEPTED


def test_a_restatement_may_be_resent_and_records_once(plan: CommandService,
                                                      clock: Clock) -> None:
    """The same restatement command twice records once (the command id is the key)."""
    given(plan, define(), value("2017-18", "827225", released_on="2018-04-19"))
    clock.now = datetime(2019, 4, 26, 9, tzinfo=UTC)
    envelope = restated(reason=WHY)
    assert plan.submit(envelope).status is Status.ACCEPTED
    assert plan.submit(envelope).status is Status.REPLAYED


def test_version_1_values_are_upcast_with_no_reason(store: EventStore) -> None:
    """A value stored at schema version 1 (before reasons) reads as version 2 with none."""
    payload = {"indicator_id": "tno", "period": "2017-18", "value": "827225",
               "source": "MPS crime statistics", "released_on": "2018-04-19"}
    event = decode("IndicatorValueRecorded", 1, payload)
    assert isinstance(event, IndicatorValueRecorded) and event.reason is None
    assert IndicatorValueRecorded.schema_version == 2
    store.append("indicator-tno", [NewEvent(type="IndicatorValueRecorded", schema_version=1,
                                            data=payload)])
    (recorded,) = store.read_stream("indicator-tno")
    assert decode(recorded.type, recorded.schema_version, recorded.data) == event
