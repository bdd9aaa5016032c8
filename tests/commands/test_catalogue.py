"""The catalogue's contract: exact values, additive fields and the v1 → v2 upcaster."""

from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from catalogue import (
    IndicatorDefined,
    IndicatorValueRecorded,
    TopicDefined,
    encode,
    from_recorded,
    load,
)
from eventstore import EventStore, NewEvent

V1_TOTAL_NOTIFIABLE_OFFENCES = {
    "indicator_id": "tno",
    "name": "Total notifiable offences",
    "unit": "offences",
    "better": "lower",
}


def test_v1_indicator_rows_written_by_the_old_schema_read_as_v2(store: EventStore) -> None:
    """A stored v1 IndicatorDefined row reads back with `measure` and a one-place precision."""
    store.append(
        "indicator-tno",
        [NewEvent(type="IndicatorDefined", data=V1_TOTAL_NOTIFIABLE_OFFENCES, schema_version=1)],
    )
    (row,) = store.read_stream("indicator-tno")
    assert row.schema_version == 1
    assert row.data == V1_TOTAL_NOTIFIABLE_OFFENCES
    event = from_recorded(row).event
    assert event == IndicatorDefined(
        indicator_id="tno",
        name="Total notifiable offences",
        measure="offences",
        better="lower",
        change_decimals=1,
    )
    assert encode(event)["measure"] == "offences"
    assert "unit" not in encode(event)


def test_indicator_values_refuse_floats() -> None:
    """A float value is refused: the figure a source publishes is exact."""
    payload = {
        "indicator_id": "tno",
        "period": "2017-18",
        "source": "MPS crime statistics",
        "released_on": "2018-04-30",
    }
    with pytest.raises(ValidationError) as refused:
        load(IndicatorValueRecorded, {**payload, "value": 827225.0})
    assert "value" in refused.value.messages
    event = load(IndicatorValueRecorded, {**payload, "value": "827225"})
    assert event.value == Decimal("827225")
    assert encode(event)["value"] == "827225"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1", True, "lots"])
def test_indicator_values_refuse_what_is_not_a_finite_non_negative_number(value: object) -> None:
    """NaN, infinity, negatives, booleans and words are not indicator values."""
    with pytest.raises(ValidationError):
        load(IndicatorValueRecorded, {
            "indicator_id": "tno", "period": "2017-18", "value": value,
            "source": "MPS crime statistics", "released_on": "2018-04-30",
        })


def test_topics_stored_before_lead_in_existed_load_as_ordinary_topics() -> None:
    """A TopicDefined payload without `lead_in` loads with the default, False."""
    topic = load(TopicDefined, {"topic_id": "violent-crime", "theme": 2, "title": "Violent crime"})
    assert topic.lead_in is False
