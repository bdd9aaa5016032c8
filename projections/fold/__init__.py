"""The fold and its state: every event, in position order, into records with their versions.

`state` folds, `records` is what it keeps, `decoding` turns stored events into typed ones,
`partial` folds the events after part of a state (read back from the read models or a
snapshot) onto it, `kinds` names the event types each part is made of, `spans` tracks
which quarters a milestone is on the board in, `cutoff` names the two time axes of a
question, `views` shows a state at a cut-off, and `codec` writes a state as JSON and reads
it back (what snapshots store).
"""
