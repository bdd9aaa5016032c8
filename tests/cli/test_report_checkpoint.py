"""The audit report names the signed checkpoint covering what it read; the public one never."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_transparency import keyed, run

__all__ = ["keyed"]


def _report(url: str, *extra: str) -> str:
    done = run("--db", url, "report", "--quarter", "2018-19-Q1", *extra)
    assert done.exit_code == 0, done.output
    return done.output


def test_the_audit_report_names_the_covering_checkpoint(keyed: tuple[str, Path, Path]) -> None:
    """No checkpoint, no line; once one is signed, the audit Markdown and HTML name it (the
    smallest covering the report's position), the public ones do not; an earlier position
    names the earlier checkpoint."""
    url, key, _ = keyed
    assert "signed checkpoint" not in _report(url, "--audit")
    small = run("--db", url, "checkpoint", "--key", key, "--size", "10")
    assert small.exit_code == 0, small.output
    assert "signed checkpoint" not in _report(url, "--audit")
    whole = run("--db", url, "checkpoint", "--key", key)
    assert whole.exit_code == 0, whole.output
    audit = _report(url, "--audit")
    assert "_Covered by signed checkpoint 2 (" in audit and "tree size " in audit
    assert "Covered by signed checkpoint 2" in _report(url, "--audit", "--format", "html")
    for public in (_report(url), _report(url, "--format", "html")):
        assert "checkpoint" not in public
    assert "Covered by signed checkpoint 1 (" in _report(url, "--audit", "--at-position", "8")
