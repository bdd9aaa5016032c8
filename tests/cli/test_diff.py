"""`opslog diff`: what changed in a quarter's report between two moments, and why.

The history is made with the machine's clock set to July, August and September 2018. On
SQLite that is when it is recorded; on PostgreSQL the server's clock records it, moments
apart. So the cut-offs are the recorded times the log reports, not the traveled dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import time_machine
from click.testing import CliRunner

from eventstore import EventStore
from opslog.cli import main

LOADED = datetime(2018, 7, 10, 9, tzinfo=UTC)
CORRECTED = datetime(2018, 8, 15, 9, tzinfo=UTC)
RESTATED = datetime(2018, 9, 3, 9, tzinfo=UTC)


def _invoke(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def _submit(url: str, *commands: dict[str, object]) -> None:
    _invoke("--db", url, "submit", "-",
            input="".join(json.dumps(command) + "\n" for command in commands))


@dataclass(frozen=True)
class History:
    """The positions of the correction and the restatement, and when each step was recorded
    (its last commit's `recorded_at`, as ISO text for ``--from`` and ``--to``)."""

    correction: int
    restatement: int
    loaded_at: datetime
    corrected_at: datetime


def iso(moment: datetime) -> str:
    return moment.isoformat()


def _history(url: str) -> History:
    """The sample in July 2018, a status correction in August, a restatement in September."""
    with time_machine.travel(LOADED, tick=False):
        _invoke("--db", url, "demo", "--no-report")
    with EventStore.open(url) as store:
        (progress,) = [e for e in store.read_stream("milestone-charing-cross")
                       if e.type == "MilestoneProgressReported"]
        loaded_at = store.head().recorded_at
    with time_machine.travel(CORRECTED, tick=False):
        _submit(url, {"command": "CorrectEvent", "id": "fix/charing-cross", "actor":
                      "recorder.estates", "data": {"event_id": str(progress.event_id),
                                                   "changes": {"status": "on_track"},
                                                   "reason": "works started in July"}})
        with EventStore.open(url) as store:
            correction, corrected_at = store.head().position, store.head().recorded_at
    with time_machine.travel(RESTATED, tick=False):
        _submit(url, {"command": "RecordIndicatorValue", "id": "restate/tno/2017-18",
                      "actor": "performance.analyst",
                      "data": {"indicator_id": "total-notifiable-offences", "period": "2017-18",
                               "value": "827300", "source": "MPS recorded crime: revised",
                               "released_on": "2018-09-01", "reason": "late returns"}})
        with EventStore.open(url) as store:
            restatement = store.head().position
    assert loaded_at is not None and corrected_at is not None
    return History(correction, restatement, loaded_at, corrected_at)


def _diff(url: str, *args: str) -> dict[str, object]:
    output = _invoke("--db", url, "diff", "--quarter", "2018-19-Q1", "--format", "json", *args)
    result: dict[str, object] = json.loads(output)
    return result


def test_diff_names_exactly_the_corrected_status(database_url: str) -> None:
    """Between a cut-off before the correction and one after it, only that milestone changed."""
    history = _history(database_url)
    result = _diff(database_url, "--from", iso(history.loaded_at),
                   "--to", iso(history.corrected_at))
    changes = result["changes"]
    assert isinstance(changes, list)
    assert [(c["kind"], c["key"], c["what"]) for c in changes] == [
        ("milestone", "charing-cross", "status")
    ]
    assert changes[0]["before"] == "delivered" and changes[0]["after"] == "on track"
    assert [cause["position"] for cause in changes[0]["causes"]] == [history.correction]


def test_diff_across_correction_and_restatement(database_url: str) -> None:
    """Up to now, the status and the restated figure changed, each traced to its event."""
    history = _history(database_url)
    correction, restatement = history.correction, history.restatement
    result = _diff(database_url, "--from", iso(history.loaded_at))
    changes = result["changes"]
    assert isinstance(changes, list)
    keys = {(c["kind"], c["key"]) for c in changes}
    assert ("milestone", "charing-cross") in keys
    assert ("figure", "total-notifiable-offences 2016-17 to 2017-18") in keys
    assert ("value", "total-notifiable-offences 2017-18") in keys
    assert all(c["kind"] in ("milestone", "figure", "value") for c in changes)
    causes = {c["key"]: [cause["position"] for cause in c["causes"]] for c in changes}
    assert causes["charing-cross"] == [correction]
    assert causes["total-notifiable-offences 2017-18"] == [restatement]
    figure = next(c for c in changes if c["kind"] == "figure")
    assert "827,300" in figure["after"] and "827,225" in figure["before"]


def test_diff_between_equal_moments_is_empty(database_url: str) -> None:
    """Nothing recorded between two cut-offs means no change."""
    history = _history(database_url)
    result = _diff(database_url, "--from", iso(history.loaded_at),
                   "--to", iso(history.corrected_at - timedelta(microseconds=1)))
    assert result["changes"] == []


def test_diff_text_output_and_bad_input(database_url: str) -> None:
    """The text form lists each change with its causes; a bad quarter or order is one line."""
    history = _history(database_url)
    text = _invoke("--db", database_url, "diff", "--quarter", "2018-19 Q1",
                   "--from", iso(history.loaded_at), "--to", iso(history.corrected_at))
    assert "milestone charing-cross: status: delivered → on track" in text
    assert f"#{history.correction} EventCorrected by recorder.estates" in text
    runner = CliRunner()
    bad = runner.invoke(main, ["--db", database_url, "diff", "--quarter", "2018-Q5",
                               "--from", "2018-08-01T00:00:00Z"])
    assert bad.exit_code == 2 and "--quarter" in bad.output and "Traceback" not in bad.output
    backwards = runner.invoke(main, ["--db", database_url, "diff", "--quarter", "2018-19-Q1",
                                     "--from", "2018-09-01T00:00:00Z",
                                     "--to", "2018-08-01T00:00:00Z"])
    assert backwards.exit_code == 2 and "--to" in backwards.output
