"""The write side: commands, their rules and permissions, and the service that records them.

    from commands.service import CommandService
    outcome = CommandService(store).submit(
        {"command": "ReportMilestoneProgress", "id": "q1/vctf", "data": {...}}, actor="…")

One module per subject area holds its commands whole: schema, typed command, rules,
decide function and registry entry (`structure`, `milestones`, `updates`, `indicators`,
`overview`, `corrections`). `registry` collects the entries; `spec` says what an entry
holds and `command` what a command is. The rules the areas share are `references`,
`dates` and `permissions`; `write_model/` is the in-memory fold they consult. At the
boundary: `service` (validate, authorise, decide, append), `envelope`, `files`,
`outcome`, `errors`, `describe` (``opslog commands``) and `sample/`. `identity/` holds
tokens, the first admin and the roles as the log stands (`docs/security.md`);
`migrations/` the write side's tables (``tokens``).

`catalogue` is the event vocabulary shared with the read side; importing this package
loads nothing, so its modules are imported by name.
"""
