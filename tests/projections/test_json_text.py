"""JSON safe to print: the same data back, no character a terminal acts on."""

from __future__ import annotations

import json

import pytest

from projections.render.json_text import json_text
from projections.render.visible import BIDI

TEXT = ("\x1b]52;c;aGk=\x07 \x9b2J \x7f \u202eevil\u202c \u2066x\u2069 a\u2028b\u2029 "
        "é 中文 💥 \"quoted\" \\ back")


@pytest.mark.parametrize("options", [{}, {"indent": 2}, {"separators": (",", ":")},
                                     {"sort_keys": True}])
def test_json_text_reads_back_the_same_and_escapes_what_acts(options: dict[str, object]
                                                             ) -> None:
    value = {"title": TEXT, TEXT: [TEXT, 1, None]}
    written = json_text(value, **options)
    assert json.loads(written) == value
    acting = [char for char in written
              if (ord(char) < 0x20 and char not in "\n") or 0x7f <= ord(char) <= 0x9f
              or char in BIDI or char in "\u2028\u2029"]
    assert acting == []
    assert "\\u009b2J" in written and "\\u202eevil" in written and "\\u007f" in written
    assert "é 中文 💥" in written  # other text stays as typed
