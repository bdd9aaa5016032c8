"""The JetStream stream the relay writes to: found or created, and checked to take the
relay's subjects, so that a clash on a shared server is named before anything is sent."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js import api as js_api
from nats.js import errors as js_errors

from relay.errors import StreamMismatch

SUBJECTS_OVERLAP = 10065
"""JetStream's error code when a new stream's subjects overlap another stream's."""


def covers(pattern: str, subject: str) -> bool:
    """Whether the subject filter `pattern` takes every subject `subject` matches
    (both may end in ``>``; ``*`` stands for one token)."""
    wanted, given = subject.split("."), pattern.split(".")
    for index, token in enumerate(given):
        if token == ">":
            return index < len(wanted)
        if index >= len(wanted) or wanted[index] == ">":
            return False
        if token != "*" and token != wanted[index]:
            return False
    return len(given) == len(wanted)


async def ensure_stream(js: JetStreamContext, name: str, prefix: str) -> js_api.StreamInfo:
    """The stream, created on first use over ``<prefix>.>``; deletes and purges are denied
    so that its sequence can never drift from the log's position. An existing stream must
    take ``<prefix>.>``; a prefix another stream takes is refused with that stream's name."""
    subjects = f"{prefix}.>"
    try:
        info = await js.stream_info(name)
    except js_errors.NotFoundError:
        return await _create(js, name, subjects)
    taken = list(info.config.subjects or [])
    if not any(covers(pattern, subjects) for pattern in taken):
        raise StreamMismatch(
            f"--subject-prefix: stream {name} takes {', '.join(taken) or 'no subjects'}, "
            f"not {subjects}: give the prefix it was created with, or another --stream")
    return info


async def _create(js: JetStreamContext, name: str, subjects: str) -> js_api.StreamInfo:
    try:
        return await js.add_stream(js_api.StreamConfig(
            name=name, subjects=[subjects], storage=js_api.StorageType.FILE,
            retention=js_api.RetentionPolicy.LIMITS, deny_delete=True, deny_purge=True,
        ))
    except js_errors.BadRequestError as error:
        if error.err_code != SUBJECTS_OVERLAP:
            raise StreamMismatch(f"--stream: JetStream refused to create stream {name}: "
                                 f"{error.description}") from None
        owner = await _owner(js, subjects)
        raise StreamMismatch(
            f"--subject-prefix: {subjects} overlaps the subjects of stream {owner} on this "
            f"server: choose another prefix for stream {name}"
            f"{'' if owner == 'another stream' else f', or relay to --stream {owner}'}"
        ) from None


async def _owner(js: JetStreamContext, subjects: str) -> str:
    """The stream whose subjects overlap `subjects`, when the server names one."""
    for probe in (subjects, subjects.replace(">", "x")):
        try:
            return str(await js.find_stream_name_by_subject(probe))
        except (js_errors.NotFoundError, js_errors.APIError):
            continue
    return "another stream"
