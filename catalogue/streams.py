"""Stream ids: ``category-identity``, one category per kind of thing."""

from __future__ import annotations


def theme_stream(number: int) -> str:
    return f"theme-{number}"


def topic_stream(topic_id: str) -> str:
    return f"topic-{topic_id}"


def unit_stream(unit_id: str) -> str:
    return f"unit-{unit_id}"


def actor_stream(actor: str) -> str:
    return f"actor-{actor}"


def milestone_stream(milestone_id: str) -> str:
    return f"milestone-{milestone_id}"


def update_stream(update_id: str) -> str:
    return f"update-{update_id}"


def indicator_stream(indicator_id: str) -> str:
    return f"indicator-{indicator_id}"


def overview_stream(quarter: object) -> str:
    return f"overview-{str(quarter).lower()}"


def scale_stream(scale_id: str) -> str:
    return f"scale-{scale_id}"


def scales_adoption_stream() -> str:
    return "plan-scales"
