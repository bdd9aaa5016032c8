"""Check 4b: the import file reader and the command file reader under hostile files.

Import: an export of a real log, mutated (a field set to a hostile value, a key removed
or added, bytes flipped, inserted or cut, lines dropped, repeated or swapped, or bytes
at random). `verify_export` must answer with a report and never raise; `import_log`
must either load exactly a file that verifies or refuse with `ImportRefused` naming the
same line, the target left empty.

Commands: any text or bytes read by `read_commands` gives numbered items (an envelope or
a refusal on ``json``), never an exception; JSON Lines of any objects read back as
exactly those objects, whatever characters their strings hold.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.errors import Refused
from commands.files import read_commands
from commands.service import CommandService
from eventstore import EventStore
from eventstore.errors import ImportRefused
from eventstore.export import export_log, verify_export
from eventstore.importer import import_log
from eventstore.tables import commits
from tests.reliability.conftest import Databases
from tests.reliability.examples import COMMAND_TYPES, example
from tests.reliability.figures import Figures, scaled
from tests.reliability.hostile import hostile_values, near_valid
from tests.reliability.plan import first_admin, plan_commands

IMPORT_EXAMPLES = 150
FILE_EXAMPLES = 200


class Targets:
    """The export of a planned log, and an empty store to import it into (renewed after
    an import succeeds)."""

    def __init__(self, databases: Databases) -> None:
        self.databases = databases
        with EventStore.open(databases.new(), create=True) as source:
            first_admin(source)
            service = CommandService(source)
            for command in plan_commands():
                assert service.submit(command).accepted
            for n, name in enumerate(("RecordAssetAcquired", "CorrectEvent",
                                      "WriteQuarterOverview", "RecordUnitWentLive")):
                for unit in ("north", "south"):
                    built = example(name, 2 * n + (unit == "south"), unit)
                    for envelope in [*built.setup, built.command]:
                        assert service.submit(envelope).accepted
            buffer = io.BytesIO()
            export_log(source, buffer)
        self.exported = buffer.getvalue()
        self.store = EventStore.open(databases.new(), create=True)

    def renew(self) -> None:
        self.store.close()
        self.store = EventStore.open(self.databases.new(), create=True)

    def empty(self) -> bool:
        with self.store.engine.connect() as connection:
            keys = connection.execute(sa.select(sa.func.count()).select_from(commits)).scalar()
        return self.store.head().position == 0 and keys == 0


@pytest.fixture(scope="module")
def targets(module_databases: Databases) -> Iterator[Targets]:
    made = Targets(module_databases)
    yield made
    made.store.close()


@st.composite
def mutated_exports(draw: st.DrawFn, exported: bytes) -> bytes:
    """An export with one structured or byte-level mutation, or bytes at random."""
    lines = exported.split(b"\n")[:-1]
    how = draw(st.sampled_from(("field", "field", "field", "bytes", "lines", "random")))
    if how == "random":
        return draw(st.binary(max_size=2_000))
    if how == "bytes":
        data = bytearray(exported)
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(("flip", "insert", "cut", "truncate")))
        if action == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif action == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        else:
            del data[at:]
        return bytes(data)
    index = draw(st.integers(0, len(lines) - 1))
    if how == "lines":
        action = draw(st.sampled_from(("drop", "repeat", "swap", "insert")))
        if action == "drop":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            lines.insert(index, json.dumps(draw(hostile_values())).encode())
        return b"\n".join(lines) + b"\n"
    value: dict[str, Any] = json.loads(lines[index])
    key = draw(st.sampled_from(sorted(value)))
    action = draw(st.sampled_from(("replace", "replace", "remove", "add")))
    if action == "replace":
        value[key] = draw(hostile_values())
    elif action == "remove":
        del value[key]
    else:
        value[draw(st.text(max_size=10))] = draw(hostile_values())
    try:
        line = json.dumps(value, ensure_ascii=draw(st.booleans()), separators=(",", ":"))
    except ValueError:  # an integer too long to write: leave the line as it was
        return exported
    lines[index] = line.encode("utf-8", "surrogatepass")
    return b"\n".join(lines) + b"\n"


IMPORT_FUZZ = settings(max_examples=scaled(IMPORT_EXAMPLES), deadline=None, database=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture,
                                              HealthCheck.too_slow,
                                              HealthCheck.data_too_large])


def answer(targets: Targets, file: bytes) -> str:
    """Verify and import `file`; hold the answers to each other; say how it was answered."""
    report = verify_export(io.BytesIO(file))
    try:
        imported = import_log(targets.store, io.BytesIO(file))
    except ImportRefused as refused:
        assert not report.ok, f"import refused a file that verifies: {refused}"
        assert refused.line == report.first_bad_line, (refused, report)
        assert targets.empty(), "a refused import wrote something"
        return "refused"
    assert report.ok, f"import accepted a file verify-export rejects: {report}"
    assert imported.head_hash == report.head_hash
    checked = targets.store.verify()
    assert checked.ok and checked.head_hash == report.head_hash
    targets.renew()
    return "imported"


def test_a_mutated_export_is_imported_whole_or_refused_with_nothing_written(
    targets: Targets, figures: Figures
) -> None:
    """verify-export reports, import loads only what verifies, and a refusal writes nothing.

    The export itself imports whole; of the mutated files, some must be refused (a
    fuzzer that never reaches a refusal checks nothing).
    """
    assert answer(targets, targets.exported) == "imported"
    counts = Counter[str]()

    @IMPORT_FUZZ
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        counts[answer(targets, data.draw(mutated_exports(targets.exported)))] += 1

    one()
    assert counts["refused"] > 0, counts
    figures.add(export_lines=targets.exported.count(b"\n"), mutated_files=sum(counts.values()),
                refused=counts["refused"], imported=counts["imported"])


@settings(IMPORT_FUZZ, max_examples=scaled(FILE_EXAMPLES))
@given(text=st.text() | st.lists(st.text(), max_size=20).map("\n".join))
def test_any_text_reads_as_numbered_commands_or_refusals(text: str) -> None:
    """Arbitrary text never raises; refusals name json and lines stay within the file."""
    last = 0
    lines = text.count("\n") + 1
    for number, item in read_commands(text):
        assert last < number <= lines
        last = number
        assert isinstance(item, dict) or (isinstance(item, Refused) and item.field == "json")


@settings(IMPORT_FUZZ, max_examples=scaled(FILE_EXAMPLES))
@given(data=st.binary() | st.lists(st.binary(max_size=60), max_size=20).map(b"\n".join))
def test_any_bytes_read_as_numbered_commands_or_refusals(data: bytes) -> None:
    """Arbitrary bytes, read a line at a time, never raise."""
    last = 0
    for number, item in read_commands(io.BytesIO(data)):
        assert last < number <= data.count(b"\n") + 1
        last = number
        assert isinstance(item, dict) or (isinstance(item, Refused) and item.field == "json")


def _finite_json() -> st.SearchStrategy[Any]:
    leaves = (st.none() | st.booleans() | st.integers(-(10**30), 10**30)
              | st.floats(allow_nan=False, allow_infinity=False) | st.text())
    return st.recursive(leaves, lambda children: st.lists(children, max_size=3)
                        | st.dictionaries(st.text(max_size=8), children, max_size=3),
                        max_leaves=10)


@settings(IMPORT_FUZZ, max_examples=scaled(FILE_EXAMPLES))
@given(objects=st.lists(st.dictionaries(st.text(max_size=8), _finite_json(), max_size=4),
                        min_size=1, max_size=8),
       ascii_only=st.booleans(), crlf=st.booleans(), as_bytes=st.booleans())
def test_json_lines_of_any_objects_read_back_exactly(
    objects: list[dict[str, Any]], ascii_only: bool, crlf: bool, as_bytes: bool
) -> None:
    """Whatever their strings hold (U+2028, NEL, controls), JSON Lines read back as written."""
    ending = "\r\n" if crlf else "\n"
    text = "".join(json.dumps(item, ensure_ascii=ascii_only) + ending for item in objects)
    source: Any = io.BytesIO(text.encode("utf-8", "surrogatepass")) if as_bytes else text
    read = list(read_commands(source))
    if as_bytes and not ascii_only and any("\ud800" <= char <= "\udfff" for char in text):
        return  # lone surrogates have no UTF-8 form: such lines are refused, checked above
    assert read == list(enumerate(objects, start=1))


@pytest.mark.parametrize("name", COMMAND_TYPES)
@settings(IMPORT_FUZZ, max_examples=scaled(10))
@given(data=st.data())
def test_command_files_of_near_valid_commands_read_line_by_line(name: str,
                                                                data: st.DataObject) -> None:
    """A file of hostile commands reads as one item per line, in order: the object the
    line holds, or a refusal on json for that line alone (a bad first line included)."""
    commands = [data.draw(near_valid(example(name, n).command)) for n in range(3)]
    lines = []
    for command in commands:
        try:
            lines.append(json.dumps(command, ensure_ascii=False))
        except ValueError:  # an integer too long to write: a line that is not JSON
            lines.append("not JSON")
    read = list(read_commands("\n".join(lines)))
    assert [number for number, _ in read] == list(range(1, len(lines) + 1))
    for number, item in read:
        if isinstance(item, dict):
            assert item == json.loads(lines[number - 1])
        else:
            assert item.field == "json", item

