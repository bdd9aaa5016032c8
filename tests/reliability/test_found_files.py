"""Found by checks 4 and 6: the command file reader split lines inside strings, raised on
JSON it could not hold, and read the whole file before the first command."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from commands.files import read_commands


def test_json_lines_with_line_separators_inside_strings_read_as_written() -> None:
    """U+2028, U+2029 and U+0085 are legal inside JSON strings: they used to split a line
    and turn a whole file into one refusal."""
    objects = [{"id": "a", "text": "x\u2028y"}, {"id": "b", "text": "x\x85y\u2029"}]
    text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in objects)
    assert list(read_commands(text)) == [(1, objects[0]), (2, objects[1])]
    assert list(read_commands(io.BytesIO(text.encode()))) == [(1, objects[0]), (2, objects[1])]


@pytest.mark.parametrize(("line", "reason"), [
    ('{"a": ' + "1" * 5_000 + "}", "digits"),
    ("[" * 100_000, "nested too deeply"),
    ('{"a": 1e400}', "too large"),
], ids=["5000-digits", "deep", "overflow"])
def test_json_the_reader_cannot_hold_is_a_refusal_for_its_line(line: str, reason: str) -> None:
    """A 5,000-digit number or 100,000 open brackets used to raise out of the reader; a
    number that overflows to infinity used to pass as a float."""
    read = list(read_commands(f'{{"id": "first"}}\n{line}\n{{"id": "last"}}\n'))
    assert read[0] == (1, {"id": "first"}) and read[2] == (3, {"id": "last"})
    number, refusal = read[1]
    assert number == 2 and not isinstance(refusal, dict) and reason in refusal.reason


def test_a_long_file_is_read_lazily() -> None:
    """The reader yields the first command before it has read the rest of the file."""
    def lines() -> Iterator[bytes]:
        yield b'{"id": "first"}\n'
        raise AssertionError("read past the first line")

    assert next(read_commands(lines())) == (1, {"id": "first"})
