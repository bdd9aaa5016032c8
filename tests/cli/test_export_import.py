"""An exported and re-imported log keeps its idempotency records, through the real CLI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from eventstore import EventStore
from opslog.cli import main
from tests.cli.test_units import ADMIN, SETUP, jsonl


def opslog(url: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, [*args, "--db", url], input=input)


def test_a_resent_command_after_an_import_is_already_recorded(database_url: str,
                                                             tmp_path: Path) -> None:
    """Given an export of a log with an admin, when it is imported, then only an admin of
    that log may import it (nothing is written otherwise); resent commands are then
    already recorded."""
    source = f"sqlite:///{tmp_path / 'source.db'}"
    assert opslog(source, "init", "--admin", ADMIN).exit_code == 0
    assert opslog(source, "submit", "--actor", ADMIN, "-", input=jsonl(*SETUP)).exit_code == 0
    export = tmp_path / "log.jsonl"
    assert opslog(source, "export", str(export)).exit_code == 0
    assert opslog(source, "verify-export", str(export)).exit_code == 0
    assert opslog(database_url, "init").exit_code == 0
    for refused, actor in (("--actor: say whom you act as", ()),
                           ("--actor: 'recorder.vctf' holds no role",
                            ("--actor", "visitor")),
                           ("--actor: to import events into the log needs admin; "
                            "'recorder.vctf' is recorder for vctf",
                            ("--actor", "recorder.vctf"))):
        attempt = opslog(database_url, "import", str(export), *actor)
        assert attempt.exit_code == 1
        assert refused.replace("'recorder.vctf' holds", "'visitor' holds") in attempt.output
        with EventStore.open(database_url) as store:
            assert store.head().position == 0
    imported = opslog(database_url, "import", str(export), "--actor", ADMIN)
    assert imported.exit_code == 0, imported.output
    with EventStore.open(database_url) as store:
        head = store.head()
    again = opslog(database_url, "submit", "--actor", ADMIN, "-", input=jsonl(*SETUP))
    assert again.exit_code == 0, again.output
    assert again.stdout.count("already recorded") == len(SETUP), again.stdout
    with EventStore.open(database_url) as store:
        assert store.head() == head
