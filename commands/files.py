"""Command files: one JSON command, or JSON Lines of them, read with their line numbers.

A line that is not a JSON object is answered with a refusal for that line; the others
still go through. Duplicate keys, NaN, numbers too large to hold and nesting too deep to
decode are refused rather than silently resolved.

JSON Lines are read one line at a time, so a file of any length is read in the memory
of its longest line, and no line longer than `MAX_LINE_BYTES` is kept or parsed: it is
refused unread, as is a line with more than `MAX_LINE_VALUES` commas (a bound, taken
before parsing, on how many values and keys it can hold). Together they bound what one
line costs to parse. Lines end at ``\\n`` only: JSON allows U+2028, U+2029 and U+0085
inside strings, so they do not end a line. A file whose first line is not a JSON value
on its own may be a single command spread over several lines, and is read whole.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import Any

from commands.errors import Refused
from eventstore.limits import MAX_PAYLOAD_BYTES

Item = dict[str, Any] | Refused

MAX_LINE_BYTES = 4 * MAX_PAYLOAD_BYTES
"""One command's line: room for the largest payload even with its text written as
``\\u`` escapes (a non-ASCII character takes at most three times its UTF-8 bytes)."""
MAX_LINE_VALUES = 100_000
"""Commas in one line, hence values and keys in one command: far more than any command
holds, far fewer than the millions of keys that a line at `MAX_LINE_BYTES` could spell."""
_CHUNK = 1 << 16


class _BadJSON(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _BadJSON(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise _BadJSON(f"{name} is not a number JSON allows")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadJSON(f"{text[:40]} is too large a number")
    return value


def loads(text: str) -> Any:
    """Strict JSON: no duplicate keys, no NaN or Infinity, no number that overflows."""
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant,
                          parse_float=_float)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _BadJSON("it is nested too deeply") from None
    except _BadJSON:
        raise
    except ValueError as error:  # an integer with more digits than Python converts
        raise _BadJSON(str(error).split(";")[0]) from None


def read_commands(source: str | Iterable[bytes]) -> Iterator[tuple[int, Item]]:
    """(line number, envelope dict or refusal) for each command in `source`.

    `source` is the file's text, or its lines as bytes (a file opened in binary mode),
    which are then read and decoded one at a time; from a file, a line beyond
    `MAX_LINE_BYTES` is skipped in chunks without being held.
    """
    lines = _text_lines(source)
    for number, line in lines:
        if isinstance(line, Refused):
            yield number, line
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        too_many = _too_many(line)
        if too_many is not None:
            yield number, too_many
            break
        try:
            first = loads(line)
        except (json.JSONDecodeError, _BadJSON):
            yield from _document(number, line, lines)
            return
        yield number, _checked(first)
        break
    for number, line in lines:
        if isinstance(line, Refused):
            yield number, line
        elif line.strip():
            yield number, _parse_line(line)


def _too_long() -> Refused:
    return Refused("json", f"the line is longer than {MAX_LINE_BYTES} bytes, the limit for "
                   "one command (not read)")


def _too_many(line: str) -> Refused | None:
    if line.count(",") > MAX_LINE_VALUES:
        return Refused("json", f"the line has more than {MAX_LINE_VALUES} commas, the limit "
                       "of values for one command (not parsed)")
    return None


def _raw_lines(source: Iterable[bytes]) -> Iterator[bytes | None]:
    """Each line as bytes, or None for a line over `MAX_LINE_BYTES` (read past, not kept)."""
    readline = getattr(source, "readline", None)
    if readline is None:
        for raw in source:
            yield None if len(raw.removesuffix(b"\n")) > MAX_LINE_BYTES else raw
        return
    while raw := readline(MAX_LINE_BYTES + 2):
        if len(raw.removesuffix(b"\n").removesuffix(b"\r")) <= MAX_LINE_BYTES:
            yield raw
            continue
        while not raw.endswith(b"\n") and (raw := readline(_CHUNK)):
            pass
        yield None


def _text_lines(source: str | Iterable[bytes]) -> Iterator[tuple[int, str | Refused]]:
    """Each line's number and text (without its line break), or why it is not text."""
    if isinstance(source, str):
        for number, line in enumerate(source.split("\n"), start=1):
            line = line.removesuffix("\r")
            too_long = len(line) > MAX_LINE_BYTES // 4 and len(line.encode()) > MAX_LINE_BYTES
            yield number, _too_long() if too_long else line
        return
    for number, raw in enumerate(_raw_lines(source), start=1):
        if raw is None:
            yield number, _too_long()
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield number, Refused("json", f"not UTF-8 text (byte {error.start + 1} of the line)")
            continue
        yield number, text.removesuffix("\n").removesuffix("\r")


def _document(start: int, first: str,
              rest: Iterator[tuple[int, str | Refused]]) -> Iterator[tuple[int, Item]]:
    """The file from line `start` on, whose first line does not parse alone: one command
    spread over lines, one broken document, or JSON Lines with a bad first line."""
    lines: list[str | Refused] = [first]
    size = len(first)
    for _number, more in rest:
        lines.append(more)
        size += (len(more) + 1) if isinstance(more, str) else 0
        if size > MAX_LINE_BYTES:  # longer than one command: lines of their own
            yield from _each_line(start, lines, rest)
            return
    texts = [line for line in lines if isinstance(line, str)]
    if len(texts) == len(lines) and _too_many(" ".join(texts)) is None:
        text = "\n".join(texts)
        try:
            whole = loads(text)
        except (json.JSONDecodeError, _BadJSON):
            pass
        else:
            yield start, _checked(whole)
            return
        if _is_fragment(first):
            line, refusal = _whole_document_error(text)
            yield start + line - 1, refusal
            return
    yield from _each_line(start, lines)


def _each_line(start: int, lines: list[str | Refused],
               rest: Iterable[tuple[int, str | Refused]] = ()) -> Iterator[tuple[int, Item]]:
    for number, line in enumerate(lines, start=start):
        if isinstance(line, Refused):
            yield number, line
        elif line.strip():
            yield number, _parse_line(line)
    for number, line in rest:
        if isinstance(line, Refused):
            yield number, line
        elif line.strip():
            yield number, _parse_line(line)


def _parse_line(line: str) -> Item:
    too_many = _too_many(line)
    if too_many is not None:
        return too_many
    try:
        return _checked(loads(line))
    except json.JSONDecodeError as error:
        return Refused("json", f"not valid JSON: {error.msg} (column {error.colno})")
    except _BadJSON as error:
        return Refused("json", f"not valid JSON: {error}")


def _checked(value: Any) -> Item:
    if not isinstance(value, dict):
        return Refused("json", 'each command must be a JSON object: {"command": …, "id": …, '
                       '"data": {…}}')
    return value


def _is_fragment(line: str) -> bool:
    """A first line that opens a multi-line document rather than holding a command."""
    try:
        loads(line)
    except json.JSONDecodeError as error:
        return line.strip() in ("{", "[") or error.msg.startswith("Unterminated")
    except _BadJSON:
        return False
    return False


def _whole_document_error(text: str) -> tuple[int, Item]:
    try:
        loads(text)
    except json.JSONDecodeError as error:
        return error.lineno, Refused("json", f"not valid JSON: {error.msg} "
                                     f"(column {error.colno})")
    except _BadJSON as error:
        return 1, Refused("json", f"not valid JSON: {error}")
    return 1, Refused("json", "not valid JSON")
