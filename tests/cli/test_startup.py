"""`opslog --help` and `opslog status` start without the libraries other verbs need.

Checked in a fresh interpreter (this one has imported everything by now): importing the
CLI and showing the root help import no verb's module, and the root help still lists
every verb with its own summary.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
from click.testing import CliRunner

from opslog.cli import main

HEAVY = ("matplotlib", "jinja2", "apscheduler", "markdown_it", "alembic", "rich",
         "sqlalchemy", "weasyprint")


def _imported_after(code: str) -> set[str]:
    """The top-level packages among HEAVY that a fresh `python -c code` has imported."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    modules = json.loads(result.stdout.splitlines()[-1])
    return {name for name in modules if name.split(".")[0] in HEAVY}


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert _imported_after("import opslog.cli") == set()


def test_the_root_help_imports_no_heavy_library() -> None:
    code = ("from opslog.cli import main\n"
            "try:\n    main(['--help'], prog_name='opslog')\nexcept SystemExit:\n    pass")
    assert _imported_after(code) == set()


def test_the_root_help_lists_every_verb_with_its_own_summary() -> None:
    """The summaries `main` keeps for verbs not yet imported are the commands' own."""
    output = CliRunner().invoke(main, ["--help"], prog_name="opslog").output
    ctx = click.Context(main, info_name="opslog")
    listed = output.split("Commands:")[1]
    assert set(main.lazy) == set(main.list_commands(ctx))
    for name, lazy in main.lazy.items():
        command = main.get_command(ctx, name)
        assert command is not None
        assert lazy.summary == command.get_short_help_str(limit=1000), name
        assert f"  {name} " in listed
