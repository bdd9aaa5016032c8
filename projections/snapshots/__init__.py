"""Quarterly snapshots: a quarter's board and narrative as the log said at a cut-off.

A snapshot keeps what an auditor needs to prove it: the cut-off (time and position), the
chain's head hash there, the renderings with their SHA-256, and the part of the fold's
state the quarter's board and narrative need, so as-of questions can continue folding
from it instead of from position 1.
"""
