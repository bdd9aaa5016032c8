"""The HTTP front door: an ASGI app (Starlette) over the same log the CLI writes.

`app.create_app` builds it; `routes` holds one module per resource of the ``/v1`` API,
each calling the same functions in `commands`, `projections` and `opslog.audit` that the
CLI's verbs call; `dashboard` serves the read-only pages. Nothing here imports the CLI.
"""
