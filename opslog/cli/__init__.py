"""The ``opslog`` command line, split by who uses it.

Each audience's commands live in their own module and register on `main`: operators
(init, demo, snapshot, publish, scheduler …), units (submit, commands), readers (status,
report) and auditors (log, history, diff, verify, export, import).
"""

from __future__ import annotations

from opslog.cli import auditors, operators, readers, scheduling, snapshots, units
from opslog.cli.base import main

operators.register(main)
units.register(main)
readers.register(main)
auditors.register(main)
snapshots.register(main)
scheduling.register(main)

__all__ = ["main"]
