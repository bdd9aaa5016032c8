"""The auditor's copy of the log: export it to a file, and check such a file with no database.

The file format is described in `eventstore.export_format`. Both directions stream: memory
stays flat however long the log is (a page of events at a time, one line at a time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import sqlalchemy as sa

from eventstore.canonical import format_time
from eventstore.errors import EventStoreError
from eventstore.export_format import (
    COMMIT_FIELDS,
    MAX_LINE_BYTES,
    BadLine,
    ExportedCheckpoint,
    ExportedCommit,
    ExportHeader,
    decode_checkpoint,
    decode_commit,
    decode_event,
    decode_header,
    encode_checkpoint,
    encode_commit,
    encode_event,
    encode_header,
)
from eventstore.integrity import ChainChecker, VerifyReport
from eventstore.model import RecordedEvent
from eventstore.store import EventStore
from eventstore.tables import checkpoints, commits
from eventstore.transparency.checkpoint import open_checkpoint
from eventstore.transparency.compact import CompactTree, Subtree
from eventstore.transparency.errors import TransparencyError
from eventstore.transparency.merkle import consistency_proof, subtrees_read
from eventstore.transparency.note import Verifier
from eventstore.writer import Clock, utc_now

Progress = Callable[[str, int, int], None]
"""Told ``(phase, done, total)`` every `PROGRESS_EVERY` events and once at the end."""

PROGRESS_EVERY = 10_000


@dataclass(frozen=True, slots=True)
class ExportReport(VerifyReport):
    """A chain check of an export file: as `VerifyReport`, plus the first bad line."""

    first_bad_line: int | None = None
    checkpoints: int = 0
    """How many signed checkpoints the file carries (their roots checked)."""
    signatures_checked: bool = False
    """Whether each checkpoint's signature was checked against the log's key: only when a
    key was given (`ExportReader(log_key=...)`); otherwise only the roots were."""

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
    signed = _checkpoints(store, last)
    header = ExportHeader(
        head_position=last,
        head_hash=head.hash if last == head.position else store.hash_at(last),
        event_count=last,
        exported_at=format_time(clock()),
        **_commits_summary(store, last),
        checkpoint_count=len(signed),
        checkpoints_sha256=hashlib.sha256(
            b"".join(encode_checkpoint(c) for c in signed)).hexdigest(),
    )
    file.write(encode_header(header))
    pending = iter(signed)
    upcoming = next(pending, None)
    while upcoming is not None and upcoming.tree_size == 0:
        file.write(encode_checkpoint(upcoming))
        upcoming = next(pending, None)
    written = 0
    if last > 0:
        # Bounded here rather than with to_position: on PostgreSQL a two-sided range over
        # a freshly loaded, unanalysed table can be planned as scan-and-sort every page.
        for event in store.read_all():
            if event.position > last:
                break
            file.write(encode_event(event))
            while upcoming is not None and upcoming.tree_size == event.position:
                file.write(encode_checkpoint(upcoming))
                upcoming = next(pending, None)
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
    for commit in _commits(store, last):
        file.write(encode_commit(commit))
    return header


def _commits_summary(store: EventStore, last: int) -> dict[str, Any]:
    """How many commit lines follow the events, and the SHA-256 of their bytes. They are
    the commits wholly within positions 1..`last`: each was written with its events and
    none changes, so the second read (the lines themselves) finds the same."""
    digest = hashlib.sha256()
    count = 0
    for commit in _commits(store, last):
        digest.update(encode_commit(commit))
        count += 1
    return {"commit_count": count, "commits_sha256": digest.hexdigest()}


def _checkpoints(store: EventStore, last: int) -> list[ExportedCheckpoint]:
    """The log's signed checkpoints of at most `last` events, by size then as made."""
    query = (sa.select(checkpoints.c.origin, checkpoints.c.tree_size, checkpoints.c.root_hash,
                       checkpoints.c.note, checkpoints.c.created_at)
             .where(checkpoints.c.tree_size <= last)
             .order_by(checkpoints.c.tree_size, checkpoints.c.id))
    with store.engine.connect() as connection:
        return [ExportedCheckpoint(row.origin, int(row.tree_size), row.root_hash, row.note,
                                   format_time(row.created_at))
                for row in connection.execute(query)]


def _commits(store: EventStore, last: int) -> Iterator[ExportedCommit]:
    query = (sa.select(*(commits.c[name] for name in COMMIT_FIELDS))
             .where(commits.c.last_position <= last).order_by(commits.c.first_position))
    with store.engine.connect() as connection:
        for row in connection.execution_options(yield_per=2_000).execute(query):
            yield ExportedCommit(
                idempotency_key=row.idempotency_key, fingerprint=row.fingerprint,
                first_position=int(row.first_position), last_position=int(row.last_position),
                stream_versions=row.stream_versions, recorded_at=format_time(row.recorded_at))


class ExportReader:
    """Reads an export line by line, checking each line, the chain and the header's claims.

    Each checkpoint line's root is checked against the events before it. Its signature
    is checked only when the log's public key is given (`log_key`): a file carries no key
    it could be trusted with, and whoever rewrote the events could re-make the roots.
    """

    def __init__(self, file: BinaryIO,
                 on_subtree: Callable[[Subtree], None] | None = None,
                 log_key: Verifier | None = None) -> None:
        self._file = file
        self._on_subtree = on_subtree
        self._log_key = log_key
        self.last_checkpoint: ExportedCheckpoint | None = None
        """The file's last checkpoint line: of the largest size, the newest of that size."""
        self.line = 0
        self.header: ExportHeader | None = None
        self.checker = ChainChecker(stream_versions={})
        self.commits = 0
        self._commit_end = 0
        self._commits_digest = hashlib.sha256()
        self.checkpoints = 0
        self._checkpoints_digest = hashlib.sha256()
        self._checkpoint_size = 0
        self.tree = CompactTree()
        """The RFC 9162 tree over the events read so far: each checkpoint's root is
        checked against it where the checkpoint's line stands."""
        self.digest = hashlib.sha256()
        """Of every byte read so far: a second reader can prove it read the same file."""

    def events(self, progress: Progress | None = None,
               phase: str = "verifying") -> Iterator[RecordedEvent]:
        """Every event of the file, each checked; `ExportProblem` at the first fault."""
        header = self._read_header()
        checker = self.checker
        for raw in self._lines():
            expected = checker.expected_position
            if raw.startswith(b'{"checkpoint":') and self.commits == 0:
                self._check_checkpoint(raw, header)
                continue
            if expected > header.head_position and self.commits < header.commit_count:
                self._check_commit(raw, header)
                continue
            if expected > header.head_position:
                raise ExportProblem(
                    self.line, expected,
                    f"more events than the header's event_count ({header.event_count})",
                )
            try:
                event, recomputed, leaf = decode_event(raw)
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
            finished = self.tree.append(leaf)
            if self._on_subtree is not None:
                for node in finished:
                    self._on_subtree(node)
            if progress is not None and checker.checked % PROGRESS_EVERY == 0:
                progress(phase, checker.checked, header.event_count)
            yield event
        self._check_end(header)
        if progress is not None:
            progress(phase, checker.checked, header.event_count)

    def _check_commit(self, raw: bytes, header: ExportHeader) -> None:
        """An idempotency record: in position order, within the events, none overlapping."""
        try:
            commit = decode_commit(raw)
        except BadLine as error:
            raise ExportProblem(self.line, None, f"commit: {error}") from error
        if commit.first_position <= self._commit_end:
            raise ExportProblem(self.line, None, "commit: positions overlap or are out of "
                                "order with the commit before")
        if commit.last_position > header.head_position:
            raise ExportProblem(self.line, None, f"commit: last_position "
                                f"{commit.last_position} is beyond the head")
        self._commit_end = commit.last_position
        self.commits += 1
        self._commits_digest.update(raw)

    def _check_checkpoint(self, raw: bytes, header: ExportHeader) -> None:
        """A signed checkpoint: right after the event at its size, with that tree's root."""
        if header.format_version < 3:
            raise ExportProblem(self.line, None, "checkpoint lines need format_version 3")
        try:
            checkpoint = decode_checkpoint(raw)
        except BadLine as error:
            raise ExportProblem(self.line, None, f"checkpoint: {error}") from error
        size = self.tree.size
        if checkpoint.tree_size != size:
            raise ExportProblem(
                self.line, None, f"checkpoint: of size {checkpoint.tree_size}, but it stands "
                f"after {size} events (each follows the event at its size)")
        root = self.tree.root().hex()
        if checkpoint.root_hash != root:
            raise ExportProblem(
                self.line, None, f"checkpoint: root {checkpoint.root_hash} at size {size}, but "
                f"the events before it make root {root} (history differs from what was signed)")
        if self._log_key is not None:
            try:
                open_checkpoint(checkpoint.note, self._log_key, origin=checkpoint.origin)
            except TransparencyError as error:
                raise ExportProblem(
                    self.line, None, f"checkpoint of size {size}: its signature does not "
                    f"verify with the log key {self._log_key.name}: {error}") from error
        self.checkpoints += 1
        self._checkpoints_digest.update(raw)
        self.last_checkpoint = checkpoint

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
            checkpoints=self.checkpoints,
            signatures_checked=self._log_key is not None,
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
        if checked == header.event_count and self.commits != header.commit_count:
            raise ExportProblem(
                self.line + 1, None,
                f"the file ends after {self.commits} commits but the header says "
                f"{header.commit_count} (is it truncated?)",
            )
        if checked != header.event_count:
            raise ExportProblem(
                self.line + 1, checked + 1,
                f"the file ends after {checked} events but the header says "
                f"{header.event_count} (is it truncated?)",
            )
        if checked == header.event_count and self.checkpoints != header.checkpoint_count:
            raise ExportProblem(
                self.line + 1, None,
                f"the file holds {self.checkpoints} checkpoints but the header says "
                f"{header.checkpoint_count}",
            )
        if self._checkpoints_digest.hexdigest() != header.checkpoints_sha256:
            raise ExportProblem(
                1, None, "header: checkpoints_sha256 is not the SHA-256 of the checkpoint lines")
        if self._commits_digest.hexdigest() != header.commits_sha256:
            raise ExportProblem(
                1, None, "header: commits_sha256 is not the SHA-256 of the commit lines")
        last_hash = self.checker.prev_hash
        if last_hash != header.head_hash:
            raise ExportProblem(
                1, None,
                f"header: head_hash {header.head_hash} is not the hash of the last event "
                f"({last_hash})",
            )


def verify_export(file: BinaryIO, progress: Progress | None = None,
                  log_key: Verifier | None = None) -> ExportReport:
    """Check an export file end to end, with no database: the first fault, or ok.

    With `log_key`, every checkpoint's signature must verify with it (see `ExportReader`).
    """
    reader = ExportReader(file, log_key=log_key)
    try:
        for _event in reader.events(progress):
            pass
    except ExportProblem as problem:
        return reader.report(problem)
    return reader.report()


def export_checkpoint(file: BinaryIO, old_size: int | None
                      ) -> tuple[str, list[bytes] | None]:
    """The newest checkpoint in an export and, when `old_size` is given, the RFC 9162
    consistency proof from that size to it, computed from the file's own events.

    For a witness that is handed files rather than a database: the file is checked whole
    first (chain, checkpoints' roots), then read again to collect only the subtrees the
    proof needs, so memory stays flat. Raises `EventStoreError` saying what is wrong.
    """
    start = file.tell()
    reader = ExportReader(file)
    try:
        for _event in reader.events():
            pass
    except ExportProblem as problem:
        raise EventStoreError(f"the export does not verify: {problem}") from problem
    latest = reader.last_checkpoint
    if latest is None:
        raise EventStoreError("the export holds no checkpoint (format version 3 carries them)")
    if old_size is None or old_size == 0 or old_size > latest.tree_size:
        return latest.note, None
    size = latest.tree_size

    def plan(get: Callable[[int, int], bytes]) -> list[bytes]:
        return consistency_proof(old_size, size, get)

    wanted = set(subtrees_read(plan))
    found: dict[tuple[int, int], bytes] = {}

    def keep(node: Subtree) -> None:
        if (node.level, node.index) in wanted:
            found[(node.level, node.index)] = node.hash

    file.seek(start)
    again = ExportReader(file, on_subtree=keep)
    try:
        for event in again.events():
            if event.position >= size:
                break
    except ExportProblem as problem:
        raise EventStoreError(f"the export changed while it was read: {problem}") from problem
    return latest.note, plan(lambda level, index: found[(level, index)])
