"""Command files: one JSON command, or JSON Lines of them, read with their line numbers.

A line that is not a JSON object is answered with a refusal for that line; the others
still go through. Duplicate keys and NaN are refused rather than silently resolved.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from commands.errors import Refused

Item = dict[str, Any] | Refused


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


def loads(text: str) -> Any:
    """Strict JSON: no duplicate keys, no NaN or Infinity."""
    return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)


def read_commands(text: str) -> Iterator[tuple[int, Item]]:
    """(line number, envelope dict or refusal) for each command in `text`."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return
    try:
        whole = loads(text)
    except (json.JSONDecodeError, _BadJSON):
        pass
    else:
        leading = text[: len(text) - len(text.lstrip())]
        yield leading.count("\n") + 1, _checked(whole)
        return
    lines = text.splitlines()
    first_line = next(index for index, line in enumerate(lines) if line.strip())
    if _is_fragment(lines[first_line]):
        yield _whole_document_error(text)
        return
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, _parse_line(line)


def _parse_line(line: str) -> Item:
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
