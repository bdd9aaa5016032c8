"""Recorded text made safe to show: control characters become visible escapes.

A title or narrative is whatever someone typed. Sent to a terminal as it is, an escape
sequence in it can write the clipboard (OSC 52), clear the screen, or hide a link
(OSC 8); a bidi override can make text read backwards. Every C0 and C1 control, DEL
and the bidi embedding, override and isolate characters is shown as its Python escape
(``\\x1b``, ``\\u202e``) instead, so what was recorded is still visible and nothing acts.
"""

from __future__ import annotations

import re

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI}]")


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, keep: str = "") -> str:
    """`text` with every control and bidi character but those in `keep` shown escaped."""
    if not keep:
        return CONTROLS.sub(_escape, text)
    return CONTROLS.sub(lambda found: found.group() if found.group() in keep
                        else _escape(found), text)
