"""Seeded random logs: milestones over many quarters, reports, moves, withdrawals,
corrections and retractions, updates and restated indicator values."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from catalogue import (
    FigureRef,
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdateRecorded,
    Paragraph,
    Quarter,
    QuarterOverviewWritten,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
)
from tests.projections.builders import LogWriter, Written

FIRST = Quarter(2018, 1)
QUARTERS = [FIRST, FIRST.next(), FIRST.next().next(), FIRST.next().next().next(),
            Quarter(2019, 1), Quarter(2019, 2)]
STATUSES = ("delivered", "on_track", "some_delay")


def _day(rng: random.Random, quarter: Quarter) -> date:
    span = (quarter.end_day - quarter.first_day).days
    return quarter.first_day + timedelta(days=rng.randrange(span))


def write_random_log(writer: LogWriter, seed: int, steps: int = 90) -> None:
    """About `steps` commits of plausible, sometimes corrected, plan activity."""
    rng = random.Random(seed)
    writer.record(
        ThemeDefined(number=2, title="Violence"), ThemeDefined(number=3, title="Safeguarding"),
        TopicDefined(topic_id="a", theme=2, title="Topic A"),
        TopicDefined(topic_id="b", theme=3, title="Topic B"),
        TopicDefined(topic_id="c", theme=2, title="Topic C"),
        UnitRegistered(unit_id="u1", name="Unit one", kind="bcu"),
        UnitRegistered(unit_id="u2", name="Unit two", kind="team"),
        IndicatorDefined(indicator_id="crime", name="Crime", measure="offences",
                         better="lower", change_decimals=1),
        IndicatorValueRecorded(indicator_id="crime", period="2012-13", value=Decimal(1500),
                               source="stats", released_on=date(2013, 4, 20)),
        when="2018-04-01T08:00",
    )
    clock = writer.clock.now
    milestones: list[str] = []
    facts: list[Written] = []
    for step in range(steps):
        clock += timedelta(hours=rng.randrange(1, 60))
        when = clock.isoformat()
        quarter = rng.choice(QUARTERS)
        roll = rng.random()
        if roll < 0.15 or not milestones:
            milestone_id = f"m{step}"
            milestones.append(milestone_id)
            facts.append(writer.one(MilestoneScheduled(
                milestone_id=milestone_id, title=f"Milestone {step}",
                topic_id=rng.choice("abc"), due_quarter=quarter,
                owner_unit=rng.choice(("u1", "u2"))), when=when))
        elif roll < 0.5:
            facts.append(writer.one(MilestoneProgressReported(
                milestone_id=rng.choice(milestones), quarter=quarter,
                status=rng.choice(STATUSES), narrative=f"progress {step}",
                as_of=_day(rng, quarter)), when=when))
        elif roll < 0.56:
            facts.append(writer.one(MilestoneRescheduled(
                milestone_id=rng.choice(milestones), from_quarter=quarter,
                to_quarter=rng.choice(QUARTERS), reason="moved"), when=when))
        elif roll < 0.6:
            facts.append(writer.one(MilestoneWithdrawn(
                milestone_id=rng.choice(milestones), reason="dropped"), when=when))
        elif roll < 0.75:
            facts.append(writer.one(OperationalUpdateRecorded(
                update_id=f"u{step}", topic_id=rng.choice("abc"), unit_id="u1",
                title=f"Update {step}", effective_date=_day(rng, quarter),
                narrative=f"Something happened ({step}).",
                milestone_id=rng.choice([None, *milestones]), kind="other"), when=when))
        elif roll < 0.82:
            facts.append(writer.one(IndicatorValueRecorded(
                indicator_id="crime", period=rng.choice(("2016-17", "2017-18", "2018-19")),
                value=Decimal(rng.randrange(1000, 2000)), source="stats",
                released_on=_day(rng, quarter)), when=when))
        elif roll < 0.86:
            writer.one(QuarterOverviewWritten(quarter=quarter, paragraphs=[Paragraph(
                text=f"Overview {step}: {{1}}.", figures=[FigureRef(
                    indicator_id="crime", from_period=rng.choice(("2012-13", "2016-17")),
                    to_period="2017-18")])]),
                when=when)
        elif roll < 0.95 and facts:
            target = rng.choice(facts)
            change = _change(rng, target)
            if change:
                writer.correct(target, f"fix {step}", when=when, **change)
        elif facts:
            target = facts.pop(rng.randrange(len(facts)))
            writer.retract(target, f"withdrawn record {step}", when=when)


def _change(rng: random.Random, target: Written) -> dict[str, Any]:
    event = target.event
    if isinstance(event, MilestoneProgressReported):
        return rng.choice([{"status": rng.choice(STATUSES)},
                           {"quarter": str(rng.choice(QUARTERS))},
                           {"as_of": _day(rng, rng.choice(QUARTERS)).isoformat()}])
    if isinstance(event, MilestoneScheduled):
        return rng.choice([{"due_quarter": str(rng.choice(QUARTERS))},
                           {"title": "Renamed milestone"}])
    if isinstance(event, OperationalUpdateRecorded):
        return {"effective_date": _day(rng, rng.choice(QUARTERS)).isoformat()}
    if isinstance(event, IndicatorValueRecorded):
        return {"value": str(rng.randrange(1000, 2000))}
    if isinstance(event, MilestoneRescheduled):
        return {"to_quarter": str(rng.choice(QUARTERS))}
    return {}
