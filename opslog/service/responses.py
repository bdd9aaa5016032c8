"""The service's JSON answers, written so that printing one (``curl`` to a terminal) is safe.

Starlette's `JSONResponse` writes the C1 controls and the bidi overrides of recorded text as
they are; this one escapes them (`json_text`), so a client parses the same data.
"""

from __future__ import annotations

from typing import Any

from starlette import responses

from projections.render.json_text import json_text


class JSONResponse(responses.JSONResponse):
    def render(self, content: Any) -> bytes:
        return json_text(content, allow_nan=False, separators=(",", ":")).encode("utf-8")
