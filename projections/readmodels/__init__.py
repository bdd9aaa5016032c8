"""The persisted read models: their tables, the runner that keeps them in step with the log.

`tables` and `schema` define and migrate them, `runner` catches up and rebuilds, `batch`
folds one batch into rows, `rows` and `bulk` write them, `loading` reads back only what
one quarter's board or report needs, and `boards` reads a quarter's board whole from the
table the runner keeps, when it holds the answer. `binding` is the cheap check every answer
makes (the checkpoint's head hash against the log's; `loading` checks each facts row's
digest), `recompute` the full one `opslog verify` makes (the read models made again and
compared).
"""
