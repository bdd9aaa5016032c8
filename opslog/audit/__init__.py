"""The auditors' read-only views of the log: which events, and how each is shown."""
