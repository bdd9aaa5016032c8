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
         "sqlalchemy", "weasyprint", "starlette", "uvicorn", "cryptography", "marshmallow",
         "psycopg", "numpy", "xlsxwriter", "odf")


RENDERERS = ("matplotlib", "numpy", "jinja2", "apscheduler", "markdown_it", "alembic",
             "weasyprint", "xlsxwriter", "odf")


def _imported_after(code: str, among: tuple[str, ...] = HEAVY) -> set[str]:
    """The top-level packages in `among` that a fresh `python -c code` has imported."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    modules = json.loads(result.stdout.splitlines()[-1])
    return {name.split(".")[0] for name in modules if name.split(".")[0] in among}


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert _imported_after("import opslog.cli") == set()


def test_the_root_help_imports_no_heavy_library() -> None:
    code = ("from opslog.cli import main\n"
            "try:\n    main(['--help'], prog_name='opslog')\nexcept SystemExit:\n    pass")
    assert _imported_after(code) == set()


def test_importing_the_cli_reads_no_package_metadata() -> None:
    """The version is read from the installed metadata only for ``--version``."""
    probe = ("import sys, opslog.cli\n"
             "assert 'importlib.metadata' not in sys.modules, 'importlib.metadata'")
    subprocess.run([sys.executable, "-c", probe], check=True)


def test_version_is_the_installed_one() -> None:
    """``opslog --version`` still says the installed version."""
    from importlib.metadata import version

    output = CliRunner().invoke(main, ["--version"], prog_name="opslog").output
    assert output.strip() == f"opslog, version {version('opslog')}"


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


def test_status_on_caught_up_read_models_imports_no_renderer_and_no_alembic(
        database_url: str) -> None:
    """The board as a table needs SQLAlchemy, the catalogue and rich, nothing that draws
    charts, fills templates, renders Markdown, schedules or migrates."""
    for args in (["demo", "--no-report"], ["projections", "catch-up"]):
        result = CliRunner().invoke(main, ["--db", database_url, *args])
        assert result.exit_code == 0, result.output
    code = ("from opslog.cli import main\n"
            f"try:\n    main(['--db', {database_url!r}, 'status', '--quarter', '2018-19-Q1'])\n"
            "except SystemExit as done:\n    assert not done.code, done.code")
    assert _imported_after(code, RENDERERS) == set()
