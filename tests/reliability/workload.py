"""What the workers write: deterministic from (worker, index), so the test knows it too."""

from __future__ import annotations

import random
import uuid
from typing import Any

from eventstore import ANY, NewEvent
from eventstore.store import StreamBatch
from tests.reliability.plan import MILESTONES, UNITS, operational_update, progress

STATUSES = ("on_track", "some_delay")
EVENT_IDS = uuid.UUID("7e1ab111-7700-4000-8000-000000000000")


def writer_command(worker: int, index: int) -> tuple[str, dict[str, Any]]:
    """The kind and envelope of command `index` of concurrent writer `worker`.

    Progress reports go to the four shared milestones, so writers race for the same
    streams; updates start streams of their own; some commands resend an earlier one of
    the same writer (a client retry); some break a rule and must be refused.
    """
    rng = random.Random(worker * 1_000_003 + index)
    roll = rng.random()
    if index > 0 and roll < 0.10:
        return "retry", writer_command(worker, rng.randrange(index))[1]
    command_id = f"w{worker}/c{index}"
    if roll < 0.17:
        # as_of before the quarter began: refused by the rules, after the state is read
        return "invalid", progress(command_id, rng.choice(list(MILESTONES)), "on_track",
                                   f"writer {worker} command {index}", as_of="2018-03-31")
    if roll < 0.60:
        return "progress", progress(command_id, rng.choice(list(MILESTONES)),
                                    rng.choice(STATUSES), f"writer {worker} command {index}")
    unit = rng.choice(UNITS)
    return "update", operational_update(command_id, unit, f"w{worker}-c{index}",
                                        f"Update {index} from writer {worker}")


def crash_commit(index: int) -> tuple[str, list[StreamBatch]]:
    """Commit `index` of the crash check: 2 to 4 streams, 1 to 5 events each, one key.

    Streams are shared between commits (``ANY`` expected version) so that a partial
    commit would show as a stream holding part of a commit; event ids are derived from
    the key so that a resubmission is the same content.
    """
    rng = random.Random(index)
    key = f"crash/{index}"
    streams = rng.sample([f"ledger-{n}" for n in range(12)], k=rng.randint(2, 4))
    batches: list[StreamBatch] = []
    number = 0
    for stream in streams:
        events = []
        for _ in range(rng.randint(1, 5)):
            events.append(NewEvent(
                type="EntryPosted",
                data={"commit": index, "n": number, "pad": "x" * rng.randrange(0, 2000)},
                metadata={"key": key},
                event_id=uuid.uuid5(EVENT_IDS, f"{key}/{number}"),
            ))
            number += 1
        batches.append((stream, events, ANY))
    return key, batches


def crash_command(index: int) -> dict[str, Any]:
    """Command `index` of the crash check: a progress report or an update, with its id."""
    rng = random.Random(-index - 1)
    command_id = f"crash-cmd/{index}"
    if rng.random() < 0.5:
        return progress(command_id, rng.choice(list(MILESTONES)), rng.choice(STATUSES),
                        f"crash command {index}")
    return operational_update(command_id, rng.choice(UNITS), f"crash-{index}",
                              f"Crash update {index}")


def crash_step(index: int) -> str:
    """Step `index` of a crash writer: a multi-stream commit, or (every third) a command."""
    return "command" if index % 3 == 2 else "commit"
