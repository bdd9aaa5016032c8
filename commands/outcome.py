"""The answer to every command: accepted with its positions, or refused with the field."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from commands.errors import Forbidden, Problem, Refused


class Status(enum.Enum):
    ACCEPTED = "accepted"
    REPLAYED = "already recorded"
    VALID = "valid"
    """Dry run: it would be accepted; nothing was written."""
    REFUSED = "refused"


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What became of one command."""

    status: Status
    command_id: str | None = None
    command_type: str | None = None
    first_position: int | None = None
    last_position: int | None = None
    event_types: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    attempts: int = 0
    forbidden: bool = False
    """Refused for who the caller is (`Forbidden`), not for what the command says: an
    HTTP layer answers it 403."""

    @classmethod
    def refused(cls, refusal: Refused, command_id: str | None = None,
                command_type: str | None = None, attempts: int = 0) -> Outcome:
        return cls(status=Status.REFUSED, command_id=command_id, command_type=command_type,
                   problems=refusal.problems, attempts=attempts,
                   forbidden=isinstance(refusal, Forbidden))

    @property
    def accepted(self) -> bool:
        """True unless refused: a replay and a valid dry run count as accepted."""
        return self.status is not Status.REFUSED

    @property
    def field(self) -> str | None:
        return self.problems[0][0] if self.problems else None

    @property
    def reason(self) -> str | None:
        return self.problems[0][1] if self.problems else None

    def describe(self) -> str:
        """One line: ``accepted ReportMilestoneProgress q1/vctf: position 12 (…)``."""
        who = " ".join(part for part in (self.command_type, self.command_id) if part)
        head = f"{self.status.value} {who}".rstrip()
        if self.status is Status.REFUSED:
            return f"{head}: " + "; ".join(f"{field}: {reason}" for field, reason in self.problems)
        types = ", ".join(self.event_types)
        if self.status is Status.VALID:
            return f"{head}: would record {types}"
        return f"{head}: {self.positions} ({types})"

    @property
    def positions(self) -> str:
        if self.first_position is None:
            return "no position"
        if self.first_position == self.last_position:
            return f"position {self.first_position}"
        return f"positions {self.first_position}-{self.last_position}"
