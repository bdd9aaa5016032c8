"""The read side: the milestone board and the quarterly report, rebuilt from the log.

- `query`: the front door, a quarter's board or report at any cut-off;
- `fold/`: the pure fold of events into a state, and views of it at a cut-off;
- `quarter/`: the board and the report as typed models and plain data;
- `readmodels/`: the persisted read models and the runner that keeps them current;
- `snapshots/`: a quarter as the log said at a cut-off, stored, verified and published;
- `render/`: Markdown and HTML;
- `audit/`: diff, comparison and lineage for auditors.
"""
