"""The read-only dashboard: server-rendered pages, htmx (vendored) for partial updates."""
