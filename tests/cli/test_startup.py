"""`opslog --help` and `opslog status` start without the libraries other verbs need.

Checked in a fresh interpreter (this one has imported everything by now): importing the
CLI and showing the root help import no verb's module, and the root help still lists
every verb with its own summary; `status` answering from caught-up read models imports
no renderer, no migration tool, no event schema (marshmallow), no signing library and no
other database's dialect. Which modules, not how long: timings live in
`benchmarks/startup.py`.
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

SCHEMAS = ("marshmallow", "catalogue.schemas", "catalogue.fastload")
"""The event schemas and their compiled loaders: decoding payloads, which `status` does not."""

NOT_FOR_STATUS = (*SCHEMAS, "cryptography", "sqlalchemy.orm", "sqlalchemy.ext",
                  "rich.progress", "commands",
                  "projections.quarter.report", "projections.snapshots")
"""What `status` as a table must not wait for: the event schemas (it reads rows already
decoded), signing, the ORM, the progress bar, the write side, and the report and the
snapshots (the stored board answers)."""

OTHER_DIALECT = {"sqlite": ("sqlalchemy.dialects.postgresql", "psycopg"),
                 "postgresql": ()}
"""On SQLite, nothing of PostgreSQL's."""


def _imported_after(code: str, among: tuple[str, ...] = HEAVY) -> set[str]:
    """The top-level packages in `among` that a fresh `python -c code` has imported."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    modules = json.loads(result.stdout.splitlines()[-1])
    return {name.split(".")[0] for name in modules if name.split(".")[0] in among}


def _modules_after(code: str, among: tuple[str, ...]) -> set[str]:
    """The modules named in `among`, or inside them, that a fresh `python -c code` has
    imported."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    modules = json.loads(result.stdout.splitlines()[-1])
    return {name for name in modules
            if any(name == prefix or name.startswith(f"{prefix}.") for prefix in among)}


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


def _status_code(database_url: str, output: str = "table") -> str:
    return ("from opslog.cli import main\n"
            f"try:\n    main(['--db', {database_url!r}, 'status', '--quarter', '2018-19-Q1', "
            f"'--format', {output!r}])\n"
            "except SystemExit as done:\n    assert not done.code, done.code")


def test_status_as_a_table_imports_no_event_schema_no_signing_and_no_other_dialect(
        database_url: str) -> None:
    """The board from caught-up read models: rows already decoded, checked against their
    digests, printed; nothing that decodes payloads, signs, or speaks another database."""
    for args in (["demo", "--no-report"], ["projections", "catch-up"]):
        result = CliRunner().invoke(main, ["--db", database_url, *args])
        assert result.exit_code == 0, result.output
    backend = database_url.split(":")[0].split("+")[0]
    banned = NOT_FOR_STATUS + OTHER_DIALECT[backend]
    assert _modules_after(_status_code(database_url), banned) == set()
    # The probe sees imports: the same board as JSON imports the forms it needs (and the
    # report's types with them), still none of the event schemas.
    as_json = _status_code(database_url, "json")
    assert _modules_after(as_json, ("projections.quarter.forms",)) == {
        "projections.quarter.forms"}
    assert _modules_after(as_json, SCHEMAS) == set()


def test_the_catalogue_builds_an_event_schema_on_its_first_use() -> None:
    """Importing the catalogue registers every type without marshmallow; the first decode
    of a type imports its schema (and marshmallow), and decodes as before."""
    code = ("import sys\n"
            "import catalogue\n"
            "assert len(catalogue.CATALOGUE) > 20, len(catalogue.CATALOGUE)\n"
            "assert 'marshmallow' not in sys.modules\n"
            "event = catalogue.decode('MilestoneWithdrawn', 1,\n"
            "                         {'milestone_id': 'm-1', 'reason': 'merged'})\n"
            "assert event == catalogue.MilestoneWithdrawn(milestone_id='m-1', reason='merged')\n"
            "assert catalogue.encode(event) == {'milestone_id': 'm-1', 'reason': 'merged'}\n")
    assert _modules_after(code, ("marshmallow", "catalogue.schemas.milestones")) >= {
        "marshmallow", "catalogue.schemas.milestones"}
    assert _modules_after(code, ("catalogue.schemas.updates",)) == set()


def test_every_event_type_names_a_schema_that_builds_its_own_class() -> None:
    """A schema named by ``module:class`` is found only when first used: every registered
    type's is found, loads into that type's class, and is built once."""
    from catalogue import CATALOGUE

    for name, spec in CATALOGUE.items():
        assert spec.schema_path.startswith("catalogue.schemas."), name
        assert spec.schema.event_class is spec.event_class, name
        assert spec.schema is spec.schema, name
        assert spec.fast_load is spec.fast_load, name
