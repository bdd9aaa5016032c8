"""Every command explains itself under ``--help``.

The commands are found by walking the command tree from the root group, so `init`, each
subcommand and every verb added later are covered without a list to keep up to date.
"""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from opslog.cli import main


def walk(command: click.Command, path: tuple[str, ...] = ()
         ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """`command` and every command below it, each with the words that invoke it.

    Through click's `list_commands`/`get_command`, which a lazily loading group answers
    too (its `commands` holds only the verbs imported so far)."""
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1] if path else "opslog")
        for name in command.list_commands(ctx):
            child = command.get_command(ctx, name)
            assert child is not None, f"opslog {' '.join((*path, name))} does not load"
            yield from walk(child, (*path, name))


COMMANDS = list(walk(main))


def _flat(text: str) -> str:
    """`text` without its whitespace: click rewraps help text (and breaks after hyphens)."""
    return "".join(text.split())


def test_the_walk_reaches_every_level_of_the_tree() -> None:
    """The root, top-level verbs and subcommands are all found."""
    found = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "init", "demo", "submit", "verify", "snapshot", "snapshot create",
            "projections catch-up", "scheduler run"} <= found


@pytest.mark.parametrize(("path", "command"), COMMANDS,
                         ids=[" ".join(path) or "opslog" for path, _ in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...], command: click.Command) -> None:
    """`opslog … --help` exits 0 with the command's usage and the first paragraph of its
    own help text."""
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="opslog")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(" ".join(("Usage: opslog", *path, "")))
    text = (command.help or "").split("\f")[0].strip()
    assert text, f"opslog {' '.join(path)} has no help text"
    assert _flat(text.split("\n\n")[0]) in _flat(result.output)
