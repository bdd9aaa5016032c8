"""Refusals: a command that breaks a rule is answered with the field and the reason."""

from __future__ import annotations

import re
from collections.abc import Sequence

Problem = tuple[str, str]


class Refused(Exception):
    """A command was refused and nothing was written.

    `problems` lists (field, reason) pairs, the first being the one that stopped it;
    fields are paths into the command (``milestone_id``, ``facts.2.value``) or the
    envelope (``command``, ``id``, ``actor``).
    """

    def __init__(self, field: str, reason: str, *more: Problem) -> None:
        self.problems: tuple[Problem, ...] = ((field, reason), *more)
        super().__init__(str(self))

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> Refused:
        first, *rest = problems
        return cls(first[0], first[1], *rest)

    @property
    def field(self) -> str:
        return self.problems[0][0]

    @property
    def reason(self) -> str:
        return self.problems[0][1]

    def __str__(self) -> str:
        return "; ".join(f"{field}: {reason}" for field, reason in self.problems)


class Forbidden(Refused):
    """The caller may not do this as who they are: a command naming another actor, an act
    their roles do not allow. An HTTP layer answers it 403; the CLI exits non-zero.

    A `Refused` too, so everything that answers refusals answers this one the same way.
    """


def problems_from(messages: object, prefix: str = "") -> list[Problem]:
    """Flatten marshmallow's nested error messages into (field path, reason) pairs."""
    problems: list[Problem] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "data"
            problems.extend(problems_from(value, path))
    elif isinstance(messages, list | tuple):
        for message in messages:
            if isinstance(message, dict | list | tuple):
                problems.extend(problems_from(message, prefix))
            else:
                problems.append((prefix or "data", _reason(str(message))))
    else:
        problems.append((prefix or "data", _reason(str(messages))))
    return problems


_PLAIN = {
    "Missing data for required field.": "is required",
    "Unknown field.": "is not a field of this command",
    "Field may not be null.": "may not be null",
    "Not a valid date.": "is not a real date (use YYYY-MM-DD)",
    "Not a valid integer.": "must be a whole number",
    "Not a valid string.": "must be text",
    "Not a valid boolean.": "must be true or false",
    "Not a valid UUID.": "must be an event id (a UUID)",
    "Not a valid list.": "must be a list",
    "Not a valid mapping type.": "must be an object",
    "Invalid input type.": "must be an object",
}


_RANGE = re.compile(
    r"^Must be greater than or equal to (?P<low>\S+) and less than or equal to (?P<high>\S+)\.$"
)


def _reason(message: str) -> str:
    plain = _PLAIN.get(message)
    if plain is not None:
        return plain
    bounds = _RANGE.match(message)
    if bounds:
        low, high = bounds["low"], bounds["high"]
        if len(high) > 9:
            return f"must be at least {low}"
        return f"must be between {low} and {high}"
    if message.startswith("Must be one of: "):
        return "must be one of " + message.removeprefix("Must be one of: ").rstrip(".")
    message = message.rstrip(".")
    return message[:1].lower() + message[1:] if message[:2] != message[:2].upper() else message
