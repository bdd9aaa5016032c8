"""The auditor's copy of the log: export it to a file, and check such a file with no database.

The file format is described in `eventstore.export_format`. Both directions stream: memory
stays flat however long the log is (a page of events at a time, one line at a time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from eventstore.canonical import format_time
from eventstore.errors import EventStoreError
from eventstore.export_format import (
    MAX_LINE_BYTES,
    BadLine,
    ExportHeader,
    decode_event,
    decode_header,
    encode_event,
    encode_header,
)
from eventstore.integrity import ChainChecker, VerifyReport
from eventstore.model import RecordedEvent
from eventstore.store import EventStore
from eventstore.writer import Clock, utc_now

Progress = Callable[[str, int, int], None]
"""Told ``(phase, done, total)`` every `PROGRESS_EVERY` events and once at the end."""

PROGRESS_EVERY = 10_000


@dataclass(frozen=True, slots=True)
class ExportReport(VerifyReport):
    """A chain check of an export file: as `VerifyReport`, plus the first bad line."""

    first_bad_line: int | None = None

    @property
    def where(self) -> str:
        """``line 7 (position 6)``, or ``line 1`` for the header."""
        if self.first_bad_position is None:
            return f"line {self.first_bad_line}"
        return f"line {self.first_bad_line} (position {self.first_bad_position})"

    def __str__(self) -> str:
        if self.ok:
            return VerifyReport.__str__(self)
        return f"broken at {self.where}: {self.problem}"


class ExportProblem(Exception):
    """The first thing wrong with an export file, and where (no position for the header)."""

    def __init__(self, line: int, position: int | None, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.position = position
        self.reason = reason


def export_log(
    store: EventStore,
    file: BinaryIO,
    until_position: int | None = None,
    progress: Progress | None = None,
    clock: Clock = utc_now,
) -> ExportHeader:
    """Write positions 1..`until_position` (default: the head) to `file` as JSON Lines."""
    head = store.head()
    last = head.position if until_position is None else until_position
    if last < 0 or last > head.position:
        raise EventStoreError(
            f"until_position {last} is outside the log (its head is position {head.position})"
        )
    header = ExportHeader(
        head_position=last,
        head_hash=head.hash if last == head.position else store.hash_at(last),
        event_count=last,
        exported_at=format_time(clock()),
    )
    file.write(encode_header(header))
    written = 0
    if last > 0:
        # Bounded here rather than with to_position: on PostgreSQL a two-sided range over
        # a freshly loaded, unanalysed table can be planned as scan-and-sort every page.
        for event in store.read_all():
            if event.position > last:
                break
            file.write(encode_event(event))
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress("exporting", written, last)
    if progress is not None:
        progress("exporting", written, last)
    if written != last:
        raise EventStoreError(
            f"only {written} events were found up to position {last}: positions are "
            "missing from the log (run verify); the export is incomplete"
        )
    return header


class ExportReader:
    """Reads an export line by line, checking each line, the chain and the header's claims."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self.line = 0
        self.header: ExportHeader | None = None
        self.checker = ChainChecker(stream_versions={})
        self.digest = hashlib.sha256()
        """Of every byte read so far: a second reader can prove it read the same file."""

    def events(self, progress: Progress | None = None,
               phase: str = "verifying") -> Iterator[RecordedEvent]:
        """Every event of the file, each checked; `ExportProblem` at the first fault."""
        header = self._read_header()
        checker = self.checker
        for raw in self._lines():
            expected = checker.expected_position
            if expected > header.head_position:
                raise ExportProblem(
                    self.line, expected,
                    f"more events than the header's event_count ({header.event_count})",
                )
            try:
                event, recomputed = decode_event(raw)
            except BadLine as error:
                raise ExportProblem(self.line, expected, str(error)) from error
            if event.position != expected:
                raise ExportProblem(
                    self.line, expected,
                    f"holds position {event.position} where {expected} was expected "
                    "(lines missing, repeated or out of order)",
                )
            if not checker.feed(event, recomputed):
                raise ExportProblem(self.line, expected, str(checker.problem))
            if progress is not None and checker.checked % PROGRESS_EVERY == 0:
                progress(phase, checker.checked, header.event_count)
            yield event
        self._check_end(header)
        if progress is not None:
            progress(phase, checker.checked, header.event_count)

    def report(self, problem: ExportProblem | None = None) -> ExportReport:
        """Where the check got to, and the problem that stopped it, if any."""
        return ExportReport(
            ok=problem is None,
            checked=self.checker.checked,
            head_position=self.checker.expected_position - 1,
            head_hash=self.checker.prev_hash,
            first_bad_position=problem.position if problem else None,
            problem=problem.reason if problem else None,
            first_bad_line=problem.line if problem else None,
        )

    def _read_header(self) -> ExportHeader:
        raw = next(self._lines(), None)
        if raw is None:
            raise ExportProblem(1, None, "the file is empty (no header line)")
        try:
            self.header = decode_header(raw)
        except BadLine as error:
            raise ExportProblem(1, None, f"header: {error}") from error
        return self.header

    def _lines(self) -> Iterator[bytes]:
        while raw := self._file.readline(MAX_LINE_BYTES + 1):
            self.line += 1
            self.digest.update(raw)
            if len(raw) > MAX_LINE_BYTES:
                raise ExportProblem(
                    self.line, self.checker.expected_position,
                    f"the line is longer than {MAX_LINE_BYTES} bytes",
                )
            yield raw

    def _check_end(self, header: ExportHeader) -> None:
        checked = self.checker.checked
        if checked != header.event_count:
            raise ExportProblem(
                self.line + 1, checked + 1,
                f"the file ends after {checked} events but the header says "
                f"{header.event_count} (is it truncated?)",
            )
        last_hash = self.checker.prev_hash
        if last_hash != header.head_hash:
            raise ExportProblem(
                1, None,
                f"header: head_hash {header.head_hash} is not the hash of the last event "
                f"({last_hash})",
            )


def verify_export(file: BinaryIO, progress: Progress | None = None) -> ExportReport:
    """Check an export file end to end, with no database: the first fault, or ok."""
    reader = ExportReader(file)
    try:
        for _event in reader.events(progress):
            pass
    except ExportProblem as problem:
        return reader.report(problem)
    return reader.report()
