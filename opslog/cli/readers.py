"""Readers' commands: the milestone board, the quarterly report, and the read models.

Every question takes two optional cut-offs: ``--as-of TIME`` (or ``--at-position N``),
what the log said then; and ``--effective-at DATE``, only facts effective by then. With
``--as-reported DATE`` it keeps only what the sources had reported by DATE (history
recorded late sits where its sources put it; never later than recorded).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import sqlalchemy.exc as sa_exc

from catalogue import PeriodError, Quarter
from eventstore import EventStoreError
from opslog.cli.base import Context, UserError, pass_context
from opslog.cli.board_table import print_board
from opslog.cli.files import refuse_existing, written_whole
from opslog.cli.params import AWARE_TIME
from opslog.cli.reading import read_cutoff
from projections import query
from projections.errors import ProjectionError
from projections.fold.cutoff import Cutoff

if TYPE_CHECKING:
    from projections.readmodels.runner import Runner, RunnerStatus

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
SPREADSHEETS = ("xlsx", "ods")
"""The renderers (matplotlib, Jinja, markdown-it, spreadsheets, PDF), the JSON and CSV
forms, the read models' runner and the progress bar are imported where they are needed:
`opslog status` as a table needs none of them (`tests/cli/test_startup.py`)."""


def _quarter(ctx: click.Context, param: click.Parameter, value: str | None) -> Quarter | None:
    if value is None:
        return None
    try:
        return Quarter.parse(value)
    except PeriodError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from error


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date like 2018-06-30", ctx=ctx,
                                 param=param) from error


def cutoff_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--as-of``, ``--at-position``, ``--effective-at`` and ``--as-reported``."""
    options: list[Decorator] = [
        click.option("--as-of", type=AWARE_TIME, default=None, metavar="TIME",
                     help="Only what was recorded at or before TIME (ISO 8601 with a zone)."),
        click.option("--at-position", type=click.IntRange(min=0), default=None, metavar="N",
                     help="Only what was recorded at or before position N."),
        click.option("--effective-at", callback=_date, default=None, metavar="DATE",
                     help="Only facts effective on or before DATE (YYYY-MM-DD)."),
        click.option("--as-reported", callback=_date, default=None, metavar="DATE",
                     help="Only what its sources (returns, publications) had reported on or "
                          "before DATE (YYYY-MM-DD), as recorded by then or --as-of."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _cutoff(context: Context, as_of: datetime | None, at_position: int | None,
            effective_at: date | None, as_reported: date | None = None) -> Cutoff:
    return read_cutoff(context, as_of, at_position, effective_at, as_reported)


def _warn(message: str) -> None:
    """Say on standard error that a stored answer failed its check and was not used."""
    click.echo(f"warning: {message}", err=True)


@click.command()
@click.option("--quarter", callback=_quarter, default=None, metavar="QUARTER",
              help="Like 2018-19-Q1 (default: the quarter of --effective-at, else of "
                   "--as-of, else today's).")
@cutoff_options
@click.option("--format", "output",
              type=click.Choice(["table", "json", "csv", *SPREADSHEETS]), default="table",
              show_default=True, help="xlsx and ods add the indicators' values; they need -o.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write here instead of standard output (not for table).")
@click.option("--force", is_flag=True, help="With -o: replace the file if it exists.")
@pass_context
def status(context: Context, quarter: Quarter | None, as_of: datetime | None,
           at_position: int | None, effective_at: date | None, as_reported: date | None,
           output: str, output_file: Path | None, force: bool) -> None:
    """The milestone board: each milestone due in or carried into a quarter, with its status."""
    target = _binary_target(output, output_file)
    if output == "table" and output_file is not None:
        raise UserError("-o: the table is for the terminal; give --format csv, json, xlsx or ods")
    if output_file is not None:
        refuse_existing(output_file, force)
    cutoff = _cutoff(context, as_of, at_position, effective_at, as_reported)
    chosen = quarter or query.default_quarter(cutoff, datetime.now(UTC))
    if target is not None:
        try:
            built = query.report(context.read_store(), chosen, cutoff, notice=_warn,
                                 catch_up=True)
        except ProjectionError as error:
            raise UserError(str(error)) from error
        for gap in built.gaps:
            _warn(str(gap))
        from projections.render.spreadsheet import board_ods, board_xlsx

        spreadsheet = board_xlsx if output == "xlsx" else board_ods
        _write(target, spreadsheet(built.board, built.charts), force)
        click.echo(f"wrote {target} ({chosen}, position {built.position})", err=True)
        return
    try:
        board = query.board(context.read_store(), chosen, cutoff, notice=_warn,
                            catch_up=True)
    except ProjectionError as error:
        raise UserError(str(error)) from error
    for gap in board.gaps:
        _warn(str(gap))
    if output == "table":
        print_board(board)
        return
    from projections.quarter import forms

    text = forms.to_json(forms.board_form(board)) if output == "json" else forms.board_csv(board)
    if output_file is None:
        click.echo(text, nl=False)
    else:
        _write(output_file, text, force)


@click.command()
@click.option("--quarter", callback=_quarter, required=True, metavar="QUARTER",
              help="Like 2018-19-Q1.")
@cutoff_options
@click.option("--format", "output", type=click.Choice(["md", "html", "json", "pdf"]),
              default="md", show_default=True, help="pdf needs -o.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write here instead of standard output.")
@click.option("--force", is_flag=True, help="With -o: replace the file if it exists.")
@click.option("--audit", is_flag=True,
              help="Add the provenance: log positions, event ids, who recorded corrections.")
@pass_context
def report(context: Context, quarter: Quarter, as_of: datetime | None, at_position: int | None,
           effective_at: date | None, as_reported: date | None, output: str,
           output_file: Path | None, force: bool, audit: bool) -> None:
    """The quarterly progress update, as Markdown, one HTML page, JSON, or a tagged A4 PDF.

    It reads like the published update; ``--audit`` adds where each figure came from (the
    HTML page can then hide it again). JSON is data and always carries everything.

    When the quarter has a published update (`opslog publish`), says on standard error
    whether this view differs from it, and where: milestones, figures and updates.
    """
    _binary_target(output, output_file)
    if output_file is not None:
        refuse_existing(output_file, force)
    cutoff = _cutoff(context, as_of, at_position, effective_at, as_reported)
    try:
        built = query.report(context.read_store(), quarter, cutoff, notice=_warn,
                             catch_up=True)
    except ProjectionError as error:
        raise UserError(str(error)) from error
    for gap in built.gaps:
        _warn(str(gap))
    from opslog.cli.snapshots import published_lines
    from projections.quarter import forms
    from projections.render.html import render_html
    from projections.render.markdown import render_markdown
    from projections.render.pdf import render_pdf

    content: str | bytes
    if output == "pdf":
        content = render_pdf(built, audit)
    elif output == "html":
        content = render_html(built, audit)
    elif output == "json":
        content = forms.to_json(forms.report_form(built))
    else:
        content = render_markdown(built, audit)
    if output_file is None:
        click.echo(content, nl=False)
    else:
        _write(output_file, content, force)
        click.echo(f"wrote {output_file} ({built.quarter}, position {built.position})", err=True)
    if effective_at is None and as_reported is None:
        for line in published_lines(context.read_store(), quarter, built):
            click.echo(line, err=True)


BINARY_FORMATS = ("xlsx", "ods", "pdf")


def _binary_target(output: str, output_file: Path | None) -> Path | None:
    """Where a binary format goes: it needs ``-o``, a terminal cannot show it."""
    if output not in BINARY_FORMATS:
        return None
    if output_file is None:
        raise UserError(f"--format {output}: a binary format, give -o FILE to write it to")
    return output_file


def _write(target: Path, content: str | bytes, force: bool) -> None:
    """`content` into `target` whole or not at all (see `opslog.cli.files`)."""
    with written_whole(target, force=force) as file:
        file.write(content if isinstance(content, bytes) else content.encode("utf-8"))


@click.group()
def projections() -> None:
    """The persisted read models: where they stand, catching up, rebuilding."""


def _runner(context: Context) -> Runner:
    from projections.readmodels.runner import Runner

    return Runner(context.store())


def _status_lines(found: RunnerStatus) -> list[str]:
    if found.live is None:
        return [f"board: not built (log head {found.head}); run `opslog projections catch-up`"]
    live = found.live
    lines = [f"board: generation {live.generation} at position {live.position} of "
             f"{found.head} (behind by {found.lag})"]
    if live.failure:
        lines.append(f"board: failed: {live.failure}")
    lines += [f"board: quarantined: {gap}" for gap in found.gaps]
    if found.building is not None:
        lines.append(f"board: rebuilding generation {found.building.generation}, at position "
                     f"{found.building.position}")
    return lines


@projections.command(name="status")
@pass_context
def projections_status(context: Context) -> None:
    """Where each read model stands against the log's head."""
    try:
        found = _runner(context).status()
    except ProjectionError as error:
        raise UserError(str(error)) from error
    except (click.ClickException, EventStoreError, sa_exc.DBAPIError):
        raise  # already one line; the group names a refused or lost connection as such
    except Exception as error:
        raise UserError(f"the read models are not set up: run `opslog init` ({error})") from None
    for line in _status_lines(found):
        click.echo(line)
    if found.drift:
        for problem in found.drift[:5]:
            click.echo(f"board: DRIFTED: {problem}", err=True)
        click.echo(f"board: {len(found.drift)} check(s) failed: answers that meet them come "
                   "from the log; `opslog projections rebuild` writes the read models again "
                   "and `opslog verify` names every row that differs", err=True)
        raise SystemExit(1)


def _run(context: Context, action: str) -> None:
    from opslog.cli.output import progress_bar

    runner = _runner(context)
    try:
        with progress_bar() as update:
            def progress(done: int, total: int) -> None:
                update(action, done, total)

            reached = (runner.rebuild(progress) if action == "rebuild"
                       else runner.catch_up(progress))
    except ProjectionError as error:
        raise UserError(str(error)) from error
    click.echo(f"board: generation {reached.generation} at position {reached.position}")
    for gap in runner.status().gaps:
        click.echo(f"board: quarantined: {gap}", err=True)


@projections.command(name="catch-up")
@pass_context
def catch_up(context: Context) -> None:
    """Apply every event recorded since the read models' checkpoint."""
    _run(context, "catch-up")


@projections.command()
@pass_context
def rebuild(context: Context) -> None:
    """Build the read models again from position 1 beside the live ones, then swap them in."""
    _run(context, "rebuild")
