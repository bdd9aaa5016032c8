"""The README's status-scale commands through the real CLI: a force's scale adopted from
Quarter 3, progress refused outside it (naming the field and the allowed statuses, writing
nothing), and the status table in the scale's labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.test_units import PROGRESS, SCHEDULE, head, jsonl, run, url  # noqa: F401

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_scale_commands() -> list[str]:
    """The JSON lines of the README's status-scale example."""
    section = README.read_text(encoding="utf-8").split("### Status scales", 1)[1]
    block = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_scale_is_adopted_and_enforced(url: str) -> None:  # noqa: F811
    """Dorset's scale from 2018-19 Q3: a Met status for Q3 is refused with the allowed
    statuses and nothing written; Yellow is accepted and the table shows it."""
    assert run(url, "submit", "-", input=jsonl(*readme_scale_commands(), SCHEDULE)).exit_code == 0
    before = head(url)
    data: dict[str, str] = {**PROGRESS["data"], "quarter": "2018-19-Q3",  # type: ignore[dict-item]
                            "status": "some_delay", "as_of": "2018-12-31"}
    late = {**PROGRESS, "id": "p/vctf-q3", "data": data}
    refused = run(url, "submit", "-", input=jsonl(late))
    assert refused.exit_code != 0
    assert "status" in refused.output and "blue, green, yellow, red" in refused.output
    assert "Traceback" not in refused.output and head(url) == before
    data["status"] = "yellow"
    accepted = run(url, "submit", "-", input=jsonl(late))
    assert accepted.exit_code == 0, accepted.output
    table = run(url, "status", "--quarter", "2018-19-Q3", "--format", "json")
    form = json.loads(table.stdout)
    assert form["scale"]["id"] == "dorset"
    assert [(row["milestone_id"], row["label"], row["carried_over"])
            for row in form["milestones"]] == [("vctf", "Yellow", True)]
    assert form["summary"]["text"].endswith("0 Blue, 0 Green, 1 Yellow, 0 Red")
