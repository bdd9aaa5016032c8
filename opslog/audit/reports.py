"""What the auditors' checks print: the same few lines for a database and for a file."""

from __future__ import annotations

from eventstore import Head, VerifyReport
from eventstore.export import ExportReport
from eventstore.export_format import ExportHeader


def verify_lines(report: VerifyReport, head: Head) -> list[str]:
    """`opslog verify`: events checked, head position and hash, and any break."""
    if report.ok:
        return [
            "chain intact",
            f"events checked: {report.checked}",
            f"head position: {report.head_position}",
            f"head hash: {report.head_hash}",
        ]
    return [
        f"chain BROKEN at position {report.first_bad_position}: {report.problem}",
        f"events checked: {report.checked} (intact up to position {report.head_position})",
        f"head position: {head.position}",
        f"head hash: {head.hash}",
    ]


def export_check_lines(report: ExportReport) -> list[str]:
    """`opslog verify-export`: as `verify_lines`, naming the file's line too."""
    if report.ok:
        return [
            "export intact",
            f"events checked: {report.checked}",
            f"head position: {report.head_position}",
            f"head hash: {report.head_hash}",
        ]
    return [
        f"export BROKEN at {report.where}: {report.problem}",
        f"events checked: {report.checked} (intact up to position {report.head_position})",
    ]


def export_lines(header: ExportHeader, path: str) -> list[str]:
    """`opslog export`: what the file holds."""
    return [
        f"exported {header.event_count} events (positions 1 to {header.head_position}) "
        f"to {path}",
        f"head hash: {header.head_hash}",
    ]
