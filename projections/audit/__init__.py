"""Questions auditors ask of the read side: what changed between two cut-offs and why
(`diff`, `compare`), and which events answer which (`lineage`)."""
