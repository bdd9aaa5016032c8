"""The scheduler process: one per database, running the quarter-close and catch-up jobs."""
