"""Check 4a: hostile commands of every type get a clear answer and write nothing wrong.

Every example is submitted to a real store holding the plan. The answer must be a
refusal whose field names a field of the command (or of its envelope), with the log
exactly as it was; or an acceptance whose events the catalogue and the read side both
decode and validate, holding no float. Any exception fails the test.
"""

from __future__ import annotations

import copy
import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue import from_recorded, load
from commands.envelope import ENVELOPE_KEYS
from commands.outcome import Outcome, Status
from commands.registry import COMMANDS
from commands.service import CommandService
from eventstore import EventStore
from eventstore.tables import commits
from projections.fold.decoding import decode_event
from tests.reliability.conftest import Databases
from tests.reliability.examples import COMMAND_TYPES, example
from tests.reliability.figures import Figures, scaled
from tests.reliability.hostile import (
    arbitrary_envelopes,
    field_paths,
    near_valid,
    sweep_values,
)
from tests.reliability.plan import plan_commands

NEAR_VALID_EXAMPLES = 60
ARBITRARY_EXAMPLES = 20
_ids = itertools.count(1)
tally: dict[tuple[str, str], Counter[str]] = {}


class Planned:
    """A store holding the plan, with one command service kept across examples."""

    def __init__(self, url: str) -> None:
        self.store = EventStore.open(url, create=True)
        self.service = CommandService(self.store)
        for command in plan_commands():
            assert self.service.submit(command).accepted

    def state(self) -> tuple[int, str, int]:
        head = self.store.head()
        with self.store.engine.connect() as connection:
            keys = connection.execute(sa.select(sa.func.count()).select_from(commits)).scalar()
        return head.position, head.hash, int(keys or 0)


@pytest.fixture(scope="module")
def planned(module_databases: Databases) -> Iterator[Planned]:
    """One planned store per backend, shared by every command type's fuzzing."""
    made = Planned(module_databases.new())
    yield made
    made.store.close()


def names_a_field(outcome: Outcome, name: str, sent: object) -> bool:
    """The refusal's field is the command's, the envelope's, or one the sender sent."""
    field = outcome.field
    if field is None or not outcome.reason:
        return False
    sent_keys: set[str] = set()
    if isinstance(sent, dict):
        sent_keys |= {str(key) for key in sent}
        if isinstance(sent.get("data"), dict):
            sent_keys |= {str(key) for key in sent["data"]}
    if field in sent_keys:  # an unknown key, named as it was sent
        return True
    known = set(COMMANDS[name].schema.fields) | set(ENVELOPE_KEYS) | {"data"} | sent_keys
    return field.split(".", 1)[0] in known


def _floats(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_floats(child) for child in value.values())
    if isinstance(value, list):
        return any(_floats(child) for child in value)
    return False


def check_answer(planned: Planned, name: str, sent: object, kind: str) -> None:
    """Submit `sent` and hold the answer and the log to the rules of check 4."""
    before = planned.state()
    outcome = planned.service.submit(sent)  # type: ignore[arg-type]
    after = planned.state()
    counts = tally.setdefault((planned.store.dialect, kind), Counter())
    if outcome.status is Status.REFUSED:
        assert names_a_field(outcome, name, sent), outcome.describe()
        assert after == before, f"a refused command changed the log: {outcome.describe()}"
        counts["refused"] += 1
        return
    if outcome.status is Status.REPLAYED:
        assert after == before
        counts["replayed"] += 1
        return
    assert outcome.status is Status.ACCEPTED, outcome.describe()
    assert outcome.first_position == before[0] + 1
    assert outcome.last_position == after[0] == before[0] + len(outcome.event_types)
    check_events(planned, outcome)
    counts["accepted"] += 1


def check_events(planned: Planned, outcome: Outcome) -> None:
    """An accepted command's events pass their schemas strictly, the read side decodes
    them, and no figure in them is a float."""
    assert outcome.first_position is not None
    for recorded in planned.store.read_all(from_position=outcome.first_position,
                                           to_position=outcome.last_position):
        event = from_recorded(recorded).event
        load(type(event), recorded.data)
        decode_event(recorded)
        assert not _floats(recorded.data), recorded.data_json


def _setup(planned: Planned, name: str) -> dict[str, Any]:
    built = example(name, next(_ids))
    for command in built.setup:
        outcome = planned.service.submit(command)
        assert outcome.accepted, outcome.describe()
    return built.command


FUZZ = settings(max_examples=scaled(NEAR_VALID_EXAMPLES), deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("name", COMMAND_TYPES)
@FUZZ
@given(data=st.data())
def test_near_valid_commands_are_refused_by_field_or_obey_the_rules(
    planned: Planned, name: str, data: st.DataObject
) -> None:
    """A valid command with one to three hostile mutations: a named refusal or a sound event."""
    valid = _setup(planned, name)
    check_answer(planned, name, data.draw(near_valid(valid)), "near-valid")


@pytest.mark.parametrize("name", COMMAND_TYPES)
@settings(FUZZ, max_examples=scaled(ARBITRARY_EXAMPLES))
@given(sent=st.data())
def test_arbitrary_commands_are_refused_by_field(planned: Planned, name: str,
                                                 sent: st.DataObject) -> None:
    """Random envelopes and data for each command type never raise and never write."""
    fields = list(COMMANDS[name].schema.fields)
    check_answer(planned, name, sent.draw(arbitrary_envelopes(name, fields)), "arbitrary")


def _mutated(envelope: dict[str, Any], path: tuple[Any, ...], value: object,
             remove: bool = False) -> dict[str, Any]:
    changed = copy.deepcopy(envelope)
    parent: Any = changed
    for step in path[:-1]:
        parent = parent[step]
    if remove:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


@pytest.mark.parametrize("name", COMMAND_TYPES)
def test_every_field_against_every_curated_hostile_value(planned: Planned, name: str) -> None:
    """Each field of each command type, removed or set to each hostile value in turn.

    The log is append-only, so checking it after each field's run of refusals shows
    that none of them wrote; an accepted case is checked where it happens.
    """
    counts = tally.setdefault((planned.store.dialect, "sweep"), Counter())
    valid = _setup(planned, name)
    for path in field_paths(valid):
        before = planned.state()
        written = 0
        cases = [(value, False) for value in sweep_values(path)] + [(None, True)]
        for value, remove in cases:
            sent = _mutated(valid, path, value, remove)
            outcome = planned.service.submit(sent)
            if outcome.status is Status.REFUSED:
                assert names_a_field(outcome, name, sent), (path, value, outcome.describe())
                counts["refused"] += 1
                continue
            assert outcome.status is Status.ACCEPTED, outcome.describe()
            assert outcome.first_position == before[0] + written + 1, outcome.describe()
            written += len(outcome.event_types)
            check_events(planned, outcome)
            counts["accepted"] += 1
            valid = _setup(planned, name)  # the accepted one used up its ids
            before = planned.state()
            written = 0
        after = planned.state()
        assert after == before, f"refusals for {path} changed the log"


def test_the_fuzzing_figures(planned: Planned, figures: Figures) -> None:
    """Reports how the fuzzed commands were answered on this backend (run after the rest)."""
    dialect = planned.store.dialect
    for kind in ("near-valid", "arbitrary", "sweep"):
        counts = tally.get((dialect, kind), Counter())
        figures.add(**{f"{kind}_{answer}": counts[answer]
                       for answer in ("accepted", "refused", "replayed")})
    figures.add(command_types=len(COMMAND_TYPES), events=planned.store.head().position)
    report = planned.store.verify()
    assert report.ok, report
    print(figures)
