"""The ``opslog`` command line, split by who uses it.

Each audience's commands live in their own module: operators (init, demo), units
(submit, commands), readers (status, report, projections), auditors (log, history, diff,
verify, export, import), transparency (keys, checkpoint, prove, verify-proof, witness),
snapshots (snapshot, publish), identity (tokens), scheduling (scheduler) and serving
(serve). `main` knows them by name and imports a verb's module only when that verb runs
or shows its help, so that `opslog --help` and `opslog status` do not wait for the
libraries of the others (matplotlib, Jinja, APScheduler, Alembic …).
"""

from __future__ import annotations

from opslog.cli.base import Lazy, main

main.lazy.update({
    "init": Lazy("opslog.cli.operators:init",
                 "Create the database, or migrate it to the newest schema."),
    "demo": Lazy("opslog.cli.operators:demo",
                 "Record the 2018-19 Quarter 1 report as sample data, then show the board "
                 "and report."),
    "submit": Lazy("opslog.cli.units:submit",
                   "Record the commands in FILE (- for stdin): one JSON command or JSON Lines "
                   "of them."),
    "commands": Lazy("opslog.cli.units:list_commands",
                     "List every command with its fields, types and which are required."),
    "status": Lazy("opslog.cli.readers:status",
                   "The milestone board: each milestone due in or carried into a quarter, "
                   "with its status."),
    "report": Lazy("opslog.cli.readers:report",
                   "The quarterly progress update, as Markdown, one HTML page, JSON, or a "
                   "tagged A4 PDF."),
    "projections": Lazy("opslog.cli.readers:projections",
                        "The persisted read models: where they stand, catching up, "
                        "rebuilding."),
    "verify": Lazy("opslog.cli.auditors:verify",
                   "Check the hash chain, the read models and snapshots; exit 0 only when "
                   "all hold."),
    "verify-export": Lazy("opslog.cli.auditors:verify_export_command",
                          "Check an export file with no database."),
    "export": Lazy("opslog.cli.auditors:export", "Copy the log to an export file."),
    "import": Lazy("opslog.cli.auditors:import_command",
                   "Load an export file into an empty database."),
    "log": Lazy("opslog.cli.auditors:log", "Show the log: who recorded what, when."),
    "history": Lazy("opslog.cli.auditors:history",
                    "Show one stream's life, version by version."),
    "diff": Lazy("opslog.cli.auditors:diff",
                 "What changed in a quarter's board and report between two moments, and why."),
    "snapshot": Lazy("opslog.cli.snapshots:snapshot",
                     "Quarterly snapshots: a quarter's board and narrative as the log said at "
                     "a cut-off."),
    "publish": Lazy("opslog.cli.snapshots:publish_command",
                    "Make a snapshot the quarter's published update (a new publication on "
                    "record)."),
    "serve": Lazy("opslog.cli.serving:serve",
                  "Serve the HTTP API (/v1, /openapi.json) and the read-only dashboard."),
    "tokens": Lazy("opslog.cli.identity:tokens",
                   "Bearer tokens for the HTTP service: issue, list, revoke (admins only)."),
    "erase": Lazy("opslog.cli.erasure:erase",
                  "Erase the text of FIELD of the event at POSITION (admins only)."),
    "keys": Lazy("opslog.cli.transparency:keys",
                 "The log's Ed25519 signing key: make one, print its public half."),
    "checkpoint": Lazy("opslog.cli.transparency:checkpoint",
                       "Sign the log's Merkle tree, record the checkpoint, and print it as a "
                       "signed note."),
    "prove": Lazy("opslog.cli.transparency:prove",
                  "Print a proof against a signed checkpoint: inclusion of an event, or "
                  "consistency."),
    "verify-proof": Lazy("opslog.cli.transparency:verify_proof",
                         "Check an inclusion or consistency proof offline; exit 0 only if it "
                         "holds."),
    "witness": Lazy("opslog.cli.transparency:witness",
                    "An independent party's cosignature: only for a checkpoint that extends "
                    "the last."),
    "relay": Lazy("opslog.cli.relaying:relay",
                  "Relay committed events to a message broker, exactly once, in position "
                  "order."),
    "scheduler": Lazy("opslog.cli.scheduling:scheduler",
                      "The scheduler process: quarterly snapshots and read models kept "
                      "current."),
})

__all__ = ["main"]
