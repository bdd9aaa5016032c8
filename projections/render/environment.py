"""The Jinja2 environment the renderers share: templates shipped in the package."""

from __future__ import annotations

from functools import cache

import jinja2
from jinja2.runtime import Context
from markupsafe import Markup

from projections.quarter.report import MilestoneItem
from projections.render import text
from projections.render.markdown_text import markdown_value
from projections.render.narrative import narrative_markdown
from projections.render.visible import visible


def _is_milestone(value: object) -> bool:
    return isinstance(value, MilestoneItem)


@jinja2.pass_context
def _html_value(context: Context, value: object) -> object:
    """Text for the page with its control characters shown (autoescape does the rest)."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return visible(_as_read(context, value), keep="\n\r\t")


@jinja2.pass_context
def _markdown_value(context: Context, value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup):
        value = _as_read(context, value)
    return markdown_value(value)


@jinja2.pass_context
def _narrative(context: Context, value: str) -> Markup:
    return narrative_markdown(_as_read(context, value))


def _as_read(context: Context, value: str) -> str:
    """Recorded text as the view shows it: the public reads an erasure's placeholder in
    words (`text.public_text`), the audit view as the log holds it."""
    return value if context.get("audit") else text.public_text(value)


@cache
def environment(autoescape: bool) -> jinja2.Environment:
    """A strict environment (undefined names fail) with the shared sentence helpers.

    Every ``{{ value }}`` passes through `finalize`: HTML-escaped by autoescape, or, for
    Markdown, escaped as Markdown text (`markdown_value`); narratives go through the
    ``narrative`` filter, which keeps their own small Markdown.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("projections.render", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=_html_value if autoescape else _markdown_value,
    )
    env.filters["narrative"] = _narrative
    env.tests["milestone"] = _is_milestone
    env.globals.update(
        cutoff_text=text.cutoff_text,
        covered_text=text.covered_text,
        note_text=text.note_text,
        restatement_text=text.restatement_text,
        update_line=text.update_line,
        milestone_status=text.milestone_status,
        milestone_lines=text.milestone_lines,
    )
    return env
