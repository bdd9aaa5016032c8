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
from tests.reliability.plan import first_admin, plan_commands

NEAR_VALID_EXAMPLES = 60
ARBITRARY_EXAMPLES = 20
_ids = itertools.count(1)


class Planned:
    """A store holding the plan, with one command service kept across examples."""

    def __init__(self, url: str) -> None:
        self.store = EventStore.open(url, create=True)
        first_admin(self.store)
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


WHOLE_DATA_REASONS = ("too large", "field name that is not valid Unicode", "nested more")
"""Refusals about the data as a whole, which name ``data`` whatever part caused them."""
UNKNOWN = "is not a field of this command"


def names_a_field(outcome: Outcome, name: str, sent: object) -> bool:
    """The refusal names a field of the command, of its envelope, or one the sender sent;
    ``data`` itself only when the data is not an object or is wrong as a whole."""
    field, reason = outcome.field, outcome.reason
    if field is None or not reason:
        return False
    data = sent.get("data") if isinstance(sent, dict) else None
    if isinstance(data, dict) and field in data:  # a key of the data, even one called data
        return True
    if field == "data":
        return (not isinstance(data, dict)
                or any(part in reason for part in WHOLE_DATA_REASONS)
                or ("" in data and reason == UNKNOWN))  # a key with no name: named as data
    sent_keys: set[str] = set()
    if isinstance(sent, dict):
        sent_keys |= {str(key) for key in sent}
        if isinstance(data, dict):
            sent_keys |= {str(key) for key in data}
    if field in sent_keys:  # an unknown key, named as it was sent
        return True
    known = set(COMMANDS[name].schema.fields) | set(ENVELOPE_KEYS) | sent_keys
    return field.split(".", 1)[0] in known


def _floats(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_floats(child) for child in value.values())
    if isinstance(value, list):
        return any(_floats(child) for child in value)
    return False


def check_answer(planned: Planned, name: str, sent: object) -> str:
    """Submit `sent`, hold the answer and the log to the rules of check 4, and say how it
    was answered (refused, replayed or accepted)."""
    before = planned.state()
    outcome = planned.service.submit(sent)  # type: ignore[arg-type]
    after = planned.state()
    if outcome.status is Status.REFUSED:
        assert names_a_field(outcome, name, sent), outcome.describe()
        assert after == before, f"a refused command changed the log: {outcome.describe()}"
        return "refused"
    if outcome.status is Status.REPLAYED:
        assert after == before
        return "replayed"
    assert outcome.status is Status.ACCEPTED, outcome.describe()
    assert outcome.first_position == before[0] + 1
    assert outcome.last_position == after[0] == before[0] + len(outcome.event_types)
    check_events(planned, outcome)
    return "accepted"


def report(planned: Planned, figures: Figures, name: str, start: int,
           counts: Counter[str]) -> None:
    """After one command type's run: every example was answered, some were refused, the
    chain still verifies over what the run wrote; the counts go to the figures."""
    assert counts["refused"] > 0, counts
    checked = planned.store.verify(from_position=min(start, planned.store.head().position))
    assert checked.ok, checked
    figures.add(command_type=name, **{answer: counts[answer]
                                      for answer in ("accepted", "refused", "replayed")})


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
def test_near_valid_commands_are_refused_by_field_or_obey_the_rules(
    planned: Planned, name: str, figures: Figures
) -> None:
    """A valid command with one to three hostile mutations: a named refusal or a sound event."""
    start, counts = planned.store.head().position + 1, Counter[str]()

    @FUZZ
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        valid = _setup(planned, name)
        counts[check_answer(planned, name, data.draw(near_valid(valid)))] += 1

    one()
    report(planned, figures, name, start, counts)


@pytest.mark.parametrize("name", COMMAND_TYPES)
def test_arbitrary_commands_are_refused_by_field(planned: Planned, name: str,
                                                 figures: Figures) -> None:
    """Random envelopes and data for each command type never raise and never write."""
    fields = list(COMMANDS[name].schema.fields)
    start, counts = planned.store.head().position + 1, Counter[str]()

    @settings(FUZZ, max_examples=scaled(ARBITRARY_EXAMPLES))
    @given(sent=st.data())
    def one(sent: st.DataObject) -> None:
        counts[check_answer(planned, name, sent.draw(arbitrary_envelopes(name, fields)))] += 1

    one()
    report(planned, figures, name, start, counts)


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
def test_every_field_against_every_curated_hostile_value(planned: Planned, name: str,
                                                         figures: Figures) -> None:
    """Each field of each command type, removed or set to each hostile value in turn.

    The log is append-only, so checking it after each field's run of refusals shows
    that none of them wrote; an accepted case is checked where it happens.
    """
    start, counts = planned.store.head().position + 1, Counter[str]()
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
    report(planned, figures, name, start, counts)
