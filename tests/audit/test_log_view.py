"""The log view's pieces: payload summaries, and the hook that later shows corrections."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from eventstore import EventStore, NewEvent, RecordedEvent
from opslog.audit import log_view
from opslog.audit.log_view import LogQuery, log_entries, stream_history
from opslog.audit.render import LOG_COLUMNS, print_table
from opslog.audit.summary import summarise_payload


def test_summary_is_one_sorted_line() -> None:
    """Keys in order, values compact, line breaks and control characters flattened."""
    summary = summarise_payload({"b": [1, {"y": 2, "x": None}], "a": "two\nlines\x00"})
    assert summary == 'a=two lines, b=[1,{"x":null,"y":2}]'


def test_summary_is_cut_with_an_ellipsis() -> None:
    """A long payload is cut to the width, the cut marked."""
    summary = summarise_payload({"text": "x" * 500}, width=20)
    assert summary == "text=" + "x" * 14 + "…"
    assert len(summary) == 20


def test_annotations_fill_a_note_column(store: EventStore) -> None:
    """A view given an annotator (as correction markers will be) shows a note per event."""
    store.append("unit-a", [NewEvent("Formed", {"n": 1}), NewEvent("Corrected", {"n": 1})])

    def annotate(event: RecordedEvent) -> str:
        return "corrects position 1" if event.type == "Corrected" else ""

    entries = list(log_entries(store, LogQuery(), annotate=annotate))
    assert [entry.note for entry in entries] == [None, "corrects position 1"]
    assert stream_history(store, "unit-a")[1].note is None
    out = io.StringIO()
    print_table(entries, Console(file=out, width=200), (*LOG_COLUMNS, "note"))
    assert out.getvalue().splitlines()[0].split()[-1] == "note"
    assert out.getvalue().rstrip().endswith("corrects position 1")


def test_summariser_can_be_replaced(store: EventStore) -> None:
    """A catalogue-aware summary can take the place of the generic one."""
    store.append("unit-a", [NewEvent("Formed", {"name": "VCTF"})])
    (entry,) = log_entries(store, LogQuery(), summariser=lambda e: f"{e.data['name']} formed")
    assert entry.summary == "VCTF formed"


def test_reverse_reads_pages_backwards(store: EventStore,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Newest first works across page boundaries, down to ``from_position``."""
    store.append_many([(f"unit-{n}", [NewEvent("Formed", {"n": n})], 0) for n in range(7)])
    monkeypatch.setattr(log_view, "PAGE_SIZE", 3)
    found = [e.position for e in log_entries(store, LogQuery(reverse=True, from_position=2))]
    assert found == [7, 6, 5, 4, 3, 2]
