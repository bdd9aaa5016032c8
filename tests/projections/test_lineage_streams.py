"""A page's or a stream's lineage from its own streams: the notes the whole log's give."""

from __future__ import annotations

from projections.audit.lineage import Lineage
from tests.projections.builders import LogWriter
from tests.projections.random_log import write_random_log


def test_each_streams_notes_are_those_of_the_whole_log(writer: LogWriter) -> None:
    write_random_log(writer, 31)
    store = writer.store
    whole = Lineage.of(store)
    assert whole.points_at  # the log has corrections to cross-reference
    streams = sorted({event.stream_id for event in store.read_all()})
    noted = 0
    for stream_id in streams:
        own = Lineage.of_streams(store, [stream_id])
        assert own.shows_notes
        for event in store.read_stream(stream_id):
            assert own.note(event) == whole.note(event), (stream_id, event.position)
            noted += bool(own.note(event))
    assert noted == len(whole.points_at) + len(whole.answered_by)

