"""The report as one self-contained HTML page: summary, milestone table, charts, narrative.

The public page reads like the published update. The audit page (`audit`) adds the
provenance: every figure and status links to a numbered source, the position of the event
it came from, with the event's type, id and recording time; a checkbox styled by CSS
alone (no script, so the page works under a CSP that forbids inline script) hides it again.
"""

from __future__ import annotations

from projections.fold.records import Source
from projections.quarter.figures import long_date, number, quarter_words
from projections.quarter.report import MilestoneItem, Report
from projections.quarter.updates import UpdateItem
from projections.render.charts import chart_svg
from projections.render.environment import environment
from projections.render.narrative import inline_narrative_html, narrative_html
from projections.render.panels import panels, period_label
from projections.render.symbols import symbol_svg
from projections.render.text import public_text


def render_html(report: Report, audit: bool = False, other_view: str | None = None) -> str:
    """The report's HTML page: same report, same bytes.

    `other_view` is the address of the same report in the other view (public or audit),
    shown as a link at the top: a served page switches views without script.
    """
    template = environment(autoescape=True).get_template("report.html.j2")
    page = template.render(
        report=report,
        audit=audit,
        other_view=other_view,
        charts=[(panel, _markup(chart_svg(panel, f"chart-{index}"))) for index, panel in
                enumerate((panel for chart in report.charts for panel in panels(chart)), 1)],
        sources=report_sources(report),
        symbol_svg=symbol_svg,
        blocks=lambda narrative: narrative_html(narrative if audit else public_text(narrative)),
        inline=lambda run: inline_narrative_html(run if audit else public_text(run)),
        long_date=long_date,
        number=number,
        period_label=period_label,
        quarter_words=quarter_words,
    )
    return "\n".join(line.rstrip() for line in page.strip().splitlines()) + "\n"


def _markup(svg: str) -> object:
    from markupsafe import Markup

    return Markup(svg)  # drawn by matplotlib from escaped text


def report_sources(report: Report) -> list[Source]:
    """Every event the report cites, in position order."""
    found: dict[int, Source] = {}

    def add(*sources: Source | None) -> None:
        for source in sources:
            if source is not None:
                found.setdefault(source.position, source)

    def add_update(update: UpdateItem) -> None:
        if update.retracted is not None:
            add(update.retracted.source)
        else:
            add(update.source, *(note.source for note in update.notes))

    for row in report.board.rows:
        add(row.source, *(note.source for note in row.notes))
    for chart in report.charts:
        add(*(point.source for point in chart.points))
    for paragraph in report.overview:
        for figure in paragraph.figures:
            add(*figure.sources, *(note.source for note in figure.notes),
                *(source for restated in figure.restated
                  for source in (restated.source, restated.to_source)))
    add(report.overview_source, *(note.source for note in report.overview_notes))
    for theme in report.themes:
        for topic in theme.topics:
            for item in topic.items:
                if isinstance(item, MilestoneItem):
                    for update in item.updates:
                        add_update(update)
                else:
                    add_update(item)
    return [found[position] for position in sorted(found)]
