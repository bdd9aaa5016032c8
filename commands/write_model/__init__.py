"""The write model: what the rules consult about the log (`state`), and the fold that
keeps it (`evolve`). Decide functions only read it; the service alone folds into it.
"""
