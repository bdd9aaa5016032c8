"""Which form an answer takes: ``?format=`` first, else the ``Accept`` header, else JSON."""

from __future__ import annotations

from collections.abc import Sequence

from opslog.service.problems import Problem

MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
_BY_TYPE = {"application/json": "json", "text/csv": "csv", "text/markdown": "md",
            "text/html": "html"}


def chosen(explicit: str | None, accept: str | None, offered: Sequence[str]) -> str:
    """The format to answer in; 406 when the Accept header allows none of `offered`."""
    if explicit is not None:
        return explicit
    if not accept:
        return offered[0]
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, index, media.lower()))
    for negative, _, media in sorted(ranked):
        if negative >= 0:
            continue
        if media in ("*/*", "application/*", "text/*"):
            return _first_under(media, offered)
        found = _BY_TYPE.get(media)
        if found is not None and found in offered:
            return found
    raise Problem(406, f"offers none of {', '.join(MEDIA[name].split(';')[0] for name in offered)}"
                  " (or use ?format=)", field="Accept")


def _first_under(media: str, offered: Sequence[str]) -> str:
    prefix = media.split("/")[0]
    for name in offered:
        if prefix == "*" or MEDIA[name].startswith(prefix + "/"):
            return name
    return offered[0]
