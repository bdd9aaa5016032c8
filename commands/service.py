"""Submitting commands: validate, authorise, decide, append in one commit, answer.

A `CommandService` keeps the write model in memory and catches it up from the log before
every command, so a long file costs one small read per command, not a replay of the log.
It starts from the newest checkpoint of the model that still holds and saves a new one
every `CHECKPOINT_EVERY` events (`write_model.checkpoints`), so starting costs the events
since the last checkpoint, not the whole log.
The command id is the commit's idempotency key: a retry returns the first result, and the
same id with a different body is refused. Losing an optimistic-concurrency race is
retried against fresh state a bounded number of times.

Who acts is the caller's to say, not the command's: the service is given the actor the
caller authenticated (a token's actor over HTTP, ``--actor`` on the operator's channel)
and the `Channel` it came through, which every event records in its metadata. A command
naming another ``actor`` is `Forbidden`. Only where the caller names no actor (a file of
commands on the operator's channel) does the command's own ``actor`` say who acts.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from catalogue import (
    DomainEvent,
    EventCorrected,
    EventRetracted,
    Metadata,
    UnknownEventType,
    decode,
    encode,
    load,
)
from catalogue.channel import Channel, direct
from catalogue.reported import recorded_day
from commands.command import Command
from commands.context import Context, Target
from commands.corrections import Answer
from commands.envelope import Submission, check_actor, check_id, command_hash, parse
from commands.errors import Forbidden, Refused
from commands.outcome import Outcome, Status
from commands.permissions import authorise
from commands.registry import recorder_of, spec_of
from commands.targets import resolve
from commands.write_model.checkpoints import CHECKPOINT_EVERY, ModelCheckpoints
from commands.write_model.evolve import Logged, evolve, fold_recorded
from commands.write_model.state import State
from eventstore import (
    DuplicateEventId,
    EventStore,
    HeadMoved,
    IdempotencyConflict,
    InvalidEvent,
    NewEvent,
    WrongExpectedVersion,
)

Clock = Callable[[], datetime]
MAX_ATTEMPTS = 4
"""How many times a command is decided and appended before a lost race is reported."""
EVENT_IDS = uuid.UUID("0b5e7c1a-6f70-736c-6f67-000000000001")
"""Namespace of event ids: ``uuid5(EVENT_IDS, f"{command_id}/{index}")``, so the same
command always proposes the same events and the store can recognise a retry."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Pending:
    """An event about to be appended, with what the local fold will need."""

    event: DomainEvent
    new_event: NewEvent
    stream_id: str


class CommandService:
    """Submits commands to one store, answering each with an `Outcome`.

    With ``dry_run=True`` nothing is written: each command is checked against the log
    plus the commands before it, as if they had been recorded.
    """

    def __init__(self, store: EventStore, clock: Clock | None = None,
                 dry_run: bool = False, channel: Channel | None = None,
                 checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self.store = store
        self.clock = clock or utc_now
        self.dry_run = dry_run
        self.channel = channel or direct()
        """How the commands reach the log; the operator's channel from this process
        unless the caller (the HTTP service) says otherwise."""
        self.state = State()
        self.checkpoints = ModelCheckpoints(store)
        self.checkpoint_every = checkpoint_every
        self._loaded = False
        self._saved_at = 0

    def catch_up(self) -> State:
        """Fold every event recorded since the model last looked (once, in a dry run),
        starting from the newest checkpoint that holds; save a new one every
        `checkpoint_every` events (never in a dry run: it writes nothing)."""
        if self.dry_run and self._loaded:
            return self.state
        if not self._loaded:
            saved = self.checkpoints.load()
            if saved is not None and saved.position > self.state.position:
                self.state = saved
                self._saved_at = saved.position if saved.saved_at is None else saved.saved_at
        for recorded in self.store.read_all(from_position=self.state.position + 1):
            fold_recorded(self.state, recorded)
        self._loaded = True
        if not self.dry_run and self.state.position - self._saved_at >= self.checkpoint_every:
            self.checkpoints.save(self.state)
            self._saved_at = self.state.position
        return self.state

    def submit_all(self, items: Iterable[Mapping[str, Any] | Submission],
                   actor: str | None = None) -> Iterator[Outcome]:
        for item in items:
            yield self.submit(item, actor)

    def submit(self, item: Mapping[str, Any] | Submission | Command, actor: str | None = None,
               *, command_id: str | None = None) -> Outcome:
        """Record one command (an envelope dict, a `Submission`, or a command and its id)."""
        try:
            submission = self._submission(item, command_id)
            who = _actor(submission, actor)
        except Refused as refusal:
            return Outcome.refused(refusal, *_names(item))
        digest = command_hash(submission.command, who, submission.reported_on)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            outcome = self._attempt(submission, who, digest, attempt)
            if outcome is not None:
                return outcome
        self.catch_up()
        earlier = self._earlier(submission, digest, MAX_ATTEMPTS)
        if earlier is not None:
            return earlier
        return Outcome.refused(
            Refused("id", f"lost the race for its streams {MAX_ATTEMPTS} times; "
                    "nothing was recorded: submit it again"),
            *_names(submission), attempts=MAX_ATTEMPTS)

    def _attempt(self, submission: Submission, actor: str, digest: str,
                 attempt: int) -> Outcome | None:
        """Decide on fresh state and append; None when a rival committed first.

        A first attempt by a service that has read the log before decides on what it
        knows, with no read, and appends only if the log's head is still where its model
        stands (`HeadMoved` otherwise): a process writing alone never reads the log back.
        A refusal on that model is checked again on the log as it is now; later attempts
        catch up first.
        """
        names = _names(submission)
        unread = attempt == 1 and self._loaded and not self.dry_run
        if not unread:
            self.catch_up()
        earlier = self._earlier(submission, digest, attempt)
        if earlier is not None:
            return earlier
        try:
            events, unit = self._decide(submission, actor)
        except Refused as refusal:
            if unread and self._moved():
                return self._attempt(submission, actor, digest, attempt + 1)
            return Outcome.refused(refusal, *names, attempts=attempt)
        batch = self._batch(submission, actor, unit, digest, events)
        if self.dry_run:
            self._fold(batch, self.state.position + 1)
            return Outcome(status=Status.VALID, command_id=names[0], command_type=names[1],
                           event_types=_types(batch), attempts=attempt)
        try:
            result = self.store.append_many(
                [(stream_id, [pending.new_event for pending in group],
                  self.state.version(stream_id)) for stream_id, group in batch],
                idempotency_key=submission.command_id,
                expected_position=self.state.position if unread else None,
            )
        except (WrongExpectedVersion, HeadMoved):
            return None
        except InvalidEvent as error:
            return Outcome.refused(Refused(_command_field(error.field), error.reason), *names,
                                   attempts=attempt)
        except (IdempotencyConflict, DuplicateEventId):
            self.catch_up()
            if submission.command_id in self.state.commits:
                return None
            return Outcome.refused(
                Refused("id", "is already the key of a commit that is not a command"),
                *names, attempts=attempt)
        if result.replayed:
            return None
        if result.first_position == self.state.position + 1:
            self._fold(batch, result.first_position)
        else:
            self.catch_up()
        return Outcome(status=Status.ACCEPTED, command_id=names[0], command_type=names[1],
                       first_position=result.first_position, last_position=result.last_position,
                       event_types=_types(batch), attempts=attempt)

    def _moved(self) -> bool:
        """Catch up; whether the log had moved on from the model."""
        before = self.state.position
        self.catch_up()
        return self.state.position != before

    # -- steps ---------------------------------------------------------------------------

    @staticmethod
    def _submission(item: Mapping[str, Any] | Submission | Command,
                    command_id: str | None) -> Submission:
        if isinstance(item, Submission):
            return item
        if isinstance(item, Command):
            return Submission(command_id=check_id("id", command_id), command=item)
        return parse(item)

    def _earlier(self, submission: Submission, digest: str, attempt: int) -> Outcome | None:
        """A command id seen before: the first result, or a refusal if the body differs."""
        earlier = self.state.commits.get(submission.command_id)
        if earlier is None:
            return None
        names = (submission.command_id, submission.command.command_type)
        if earlier.command_hash != digest:
            return Outcome.refused(
                Refused("id", f"was already used for a different {earlier.command_type} "
                        f"(positions {earlier.first_position}-{earlier.last_position})"),
                *names, attempts=attempt)
        return Outcome(status=Status.REPLAYED, command_id=names[0], command_type=names[1],
                       first_position=earlier.first_position,
                       last_position=earlier.last_position,
                       event_types=earlier.event_types, attempts=attempt)

    def _decide(self, submission: Submission, actor: str) -> tuple[list[DomainEvent], str | None]:
        command = submission.command
        spec = spec_of(command)
        target = None
        if isinstance(command, Answer):
            reference = command.reference
            target = self._target(resolve(self.state, reference), reference.field)
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        check_declared(submission.reported_on, now)
        context = Context(now=now, actor=actor, target=target)
        unit = authorise(self.state, actor, spec.permission, command, context)
        return spec.decide(self.state, command, context), unit

    def _target(self, event_id: uuid.UUID, named_by: str = "event_id") -> Target:
        """The event a correction answers, as it reads after earlier corrections."""
        ref = self.state.events.get(event_id)
        if ref is None:
            raise Refused("event_id", f"no event {event_id} is recorded")
        if ref.event_class in (EventCorrected, EventRetracted):
            raise Refused("event_id", "a correction or retraction is not itself answered: "
                          "correct the original event again")
        original: DomainEvent | None = None
        payload: dict[str, Any] = {}
        for recorded in self.store.read_stream(ref.stream_id):
            try:
                event = decode(recorded.type, recorded.schema_version, recorded.data)
            except UnknownEventType:
                continue
            if recorded.event_id == event_id:
                original, payload = event, encode(event)
            elif isinstance(event, EventCorrected) and str(event.target_event_id) == str(event_id):
                payload.update(event.changes)
        if original is None:
            raise Refused("event_id", f"no event {event_id} is recorded")
        current = load(type(original), payload)
        return Target(event_id=event_id, stream_id=ref.stream_id, event=current,
                      payload=encode(current), retracted=event_id in self.state.retracted,
                      recorded_by=recorder_of(type(current)), named_by=named_by)

    def _batch(self, submission: Submission, actor: str, unit: str | None, digest: str,
               events: Sequence[DomainEvent]) -> list[tuple[str, list[_Pending]]]:
        """The events grouped by stream, in first-appearance order, with their envelopes."""
        metadata = Metadata(
            actor=actor,
            unit=unit,
            command_id=submission.command_id,
            command_type=submission.command.command_type,
            correlation_id=submission.correlation_id or submission.command_id,
            causation_id=submission.command_id,
            channel=self.channel.as_dict(),
            reported_on=submission.reported_on,
        ).as_dict()
        metadata["command_hash"] = digest
        groups: dict[str, list[_Pending]] = {}
        for index, event in enumerate(events):
            new_event = NewEvent(
                type=event.type_name,
                data=encode(event),
                metadata=metadata,
                occurred_at=event.occurred_at,
                event_id=uuid.uuid5(EVENT_IDS, f"{submission.command_id}/{index}"),
                schema_version=event.schema_version,
            )
            groups.setdefault(event.stream_id, []).append(
                _Pending(event, new_event, event.stream_id)
            )
        return list(groups.items())

    def _fold(self, batch: list[tuple[str, list[_Pending]]], first_position: int) -> None:
        """Fold our own commit without reading it back: we know what we wrote."""
        position = first_position
        for stream_id, group in batch:
            version = self.state.version(stream_id)
            for pending in group:
                version += 1
                assert pending.new_event.event_id is not None
                evolve(self.state, Logged(pending.event, pending.new_event.event_id, position,
                                          stream_id, version, pending.new_event.metadata or {}))
                position += 1


def check_declared(reported_on: date | None, now: datetime) -> None:
    """A source cannot report what is recorded before it: a declared date after the day
    the command is recorded (London time) is in the future, and refused."""
    if reported_on is None:
        return
    today = recorded_day(now)
    if reported_on > today:
        raise Refused("reported_on", f"{reported_on.isoformat()} is after the day it is "
                      f"recorded ({today.isoformat()}): a source can only have reported "
                      "it on or before that day")


def _actor(submission: Submission, caller: str | None) -> str:
    """Who acts: the caller's actor; the envelope's only when the caller names none. An
    envelope naming someone else is refused: identity is not what the command says."""
    if caller is not None and submission.actor is not None and submission.actor != caller:
        raise Forbidden("actor", f"the command acts as {submission.actor!r} but it is "
                        f"submitted by {caller!r}: a command acts only as its submitter")
    actor = caller or submission.actor
    if not actor:
        raise Refused("actor", "is required: say who acts (--actor, OPSLOG_ACTOR "
                      'or "actor" in the command)')
    return check_actor(actor)


_EVENT_DATA = re.compile(r"^streams\[\d+\]\.events\[\d+\]\.data(?:\.(?P<inside>.+))?$")


def _command_field(store_field: str) -> str:
    """The command's field for a store refusal: an event's data holds the command's fields
    (``streams[0].events[0].data.changes`` is ``changes``); anything else about the
    commit, such as its size, is about the command's data as a whole."""
    match = _EVENT_DATA.match(store_field)
    if match is None:
        return "id" if store_field == "idempotency_key" else "data"
    return match["inside"] or "data"


def _types(batch: list[tuple[str, list[_Pending]]]) -> tuple[str, ...]:
    return tuple(pending.event.type_name for _, group in batch for pending in group)


def _names(item: object) -> tuple[str | None, str | None]:
    """The id and command name of an envelope refused before it parsed, where readable."""
    if isinstance(item, Submission):
        return item.command_id, item.command.command_type
    if isinstance(item, Command):
        return None, item.command_type
    if isinstance(item, Mapping):
        command_id, name = item.get("id"), item.get("command")
        return (command_id if isinstance(command_id, str) else None,
                name if isinstance(name, str) else None)
    return None, None


def submit(store: EventStore, command: Mapping[str, Any] | Submission | Command,
           actor: str | None = None, clock: Clock | None = None, *,
           command_id: str | None = None, dry_run: bool = False,
           channel: Channel | None = None) -> Outcome:
    """Submit one command with a fresh service (it folds the whole log first).

    For many commands, keep a `CommandService` and call its `submit`.
    """
    service = CommandService(store, clock=clock, dry_run=dry_run, channel=channel)
    return service.submit(command, actor, command_id=command_id)
