"""The write side: commands, their rules and permissions, and the service that records them.

    from commands.service import CommandService
    outcome = CommandService(store).submit(
        {"command": "ReportMilestoneProgress", "id": "q1/vctf", "data": {...}}, actor="…")

`catalogue` is the event vocabulary shared with the read side; importing it does
not load the write side, so this package's own modules are imported by name.
"""
