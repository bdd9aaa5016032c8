"""The Jinja2 environment the renderers share: templates shipped in the package."""

from __future__ import annotations

from functools import cache

import jinja2

from projections.quarter.report import MilestoneItem
from projections.render import text


def _is_milestone(value: object) -> bool:
    return isinstance(value, MilestoneItem)


@cache
def environment(autoescape: bool) -> jinja2.Environment:
    """A strict environment (undefined names fail) with the shared sentence helpers."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("projections.render", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.tests["milestone"] = _is_milestone
    env.globals.update(
        cutoff_text=text.cutoff_text,
        note_text=text.note_text,
        restatement_text=text.restatement_text,
        update_line=text.update_line,
        milestone_status=text.milestone_status,
        milestone_lines=text.milestone_lines,
    )
    return env
