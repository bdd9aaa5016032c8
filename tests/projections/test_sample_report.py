"""Acceptance: the Q1 2018-19 sample, submitted as commands, prints the reference report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalogue import Quarter
from eventstore import EventStore
from projections import query
from projections.fold.cutoff import Cutoff
from projections.readmodels.runner import Runner
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter
from tests.projections.sample import record_sample
from tests.reference import reference_text

Q1 = Quarter(2018, 1)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _contents(reference: str) -> list[str]:
    """The reference's table of contents: every section heading, in order."""
    return [line.split("\t")[0].strip() for line in reference.splitlines() if "\t" in line]


def _body(reference: str) -> str:
    """The reference without its table of contents and its picture captions."""
    return "\n".join(line for line in reference.splitlines()
                     if "\t" not in line and not line.strip().isupper())


def _headings(markdown: str) -> list[str]:
    return [line.lstrip("#").strip() for line in markdown.splitlines() if line.startswith("#")]


def _in_order(needles: list[str], haystack: str, pattern: str = "{}") -> list[str]:
    """The needles not found in order (each after the previous one found)."""
    missing, cursor = [], 0
    for needle in needles:
        found = re.compile(pattern.format(re.escape(needle)), re.MULTILINE).search(haystack,
                                                                                   cursor)
        if found is None:
            missing.append(needle)
        else:
            cursor = found.end()
    return missing


@pytest.fixture
def sample_markdown(writer: LogWriter) -> str:
    """The sample recorded on a fresh store; its Q1 report as Markdown."""
    record_sample(writer.store)
    return render_markdown(query.report(writer.store, Q1, Cutoff()))


def test_the_report_opens_with_the_reference_title_and_period(sample_markdown: str) -> None:
    """Title and period come first, as in the reference."""
    assert sample_markdown.startswith(
        "# Metropolitan Police Service Business Plan progress update\n\n"
        "## 2018-19, Quarter 1 (April to June 2018)\n")


def test_every_section_heading_is_there_in_order(sample_markdown: str) -> None:
    """Each heading of the reference's contents is a heading of the report, in order."""
    contents = _contents(reference_text())
    assert len(contents) == 20
    headings = "\n".join(heading.casefold() for heading in _headings(sample_markdown))
    assert _in_order([entry.casefold() for entry in contents], headings, "^{}$") == []


def test_every_milestone_is_in_bold_with_its_status(sample_markdown: str) -> None:
    """The six Quarter 1 milestones appear in the reference's order, bold and delivered."""
    titles = re.findall(r"(Quarter 1, 2018-19: [^*\n]+)", reference_text())
    assert len(titles) == 6
    expected = [f"**{title.strip()}** (delivered)" for title in titles]
    assert _in_order(expected, sample_markdown) == []


def test_every_figure_of_the_reference_is_there_in_order(sample_markdown: str) -> None:
    """All 105 figures of the reference's text, each found after the one before it."""
    figures = [figure.rstrip(",.") for figure in NUMBER.findall(_body(reference_text()))]
    assert len(figures) == 105
    assert _in_order(figures, sample_markdown, r"(?<![\d,.]){}(?!\d)") == []


def test_the_changes_are_computed_to_the_reference_precision(sample_markdown: str) -> None:
    """6.4, 5.26 and 21.2 per cent are computed from the recorded values, not typed in."""
    for phrase in ("increased by 6.4 per cent (777,458 to 827,225 offences)",
                   "increased by 5.26 per cent (237,774 to 250,287 offences)",
                   "increased by 21.2 per cent (12,115 to 14,680 offences)"):
        assert phrase in sample_markdown
    from commands.sample import sample_text

    for typed in ("6.4", "5.26", "21.2", "777,458", "827,225"):
        assert typed not in sample_text()


def test_the_persisted_read_models_print_the_same_report(writer: LogWriter,
                                                         sample_markdown: str) -> None:
    """Caught up into the tables, the report is byte for byte the folded one."""
    Runner(writer.store, batch_size=17).catch_up()
    assert render_markdown(query.report(writer.store, Q1, Cutoff())) == sample_markdown


def test_the_report_from_a_fresh_database_is_byte_identical(
        sample_markdown: str, tmp_path: Path) -> None:
    """The same commands into another database give the same bytes."""
    with EventStore.open(f"sqlite:///{tmp_path / 'again.db'}", create=True) as store:
        record_sample(store)
        again = render_markdown(query.report(store, Q1, Cutoff()))
    assert again == sample_markdown
