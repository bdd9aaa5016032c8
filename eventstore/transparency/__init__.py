"""Transparency: an RFC 9162 Merkle tree over the log, C2SP checkpoints and signed notes.

Domain-free and pure: nothing here touches a database. The store keeps the complete
subtree hashes `compact` hands out at append, and `merkle` turns a few of them into proofs
that anyone holding a signed `checkpoint` can check offline (`proofs`).
"""
