"""JSON safe to print: the same data, with nothing in it a terminal would act on.

``json.dumps`` escapes the C0 controls (ESC is written ``\\u001b``) but, with
``ensure_ascii=False``, writes DEL, the C1 controls (among them U+009B, the one-character
CSI some terminals run), the bidi overrides and the line and paragraph separators as they
are. Such characters can only stand inside a JSON string, so each is written as its
``\\uXXXX`` escape instead: a parser reads the same value, a terminal shows text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from projections.render.visible import BIDI

ACTING = re.compile(f"[\x7f-\x9f{BIDI}\u2028\u2029]")


def json_text(value: Any, **options: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, **options)`` with `ACTING` characters escaped."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return ACTING.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
