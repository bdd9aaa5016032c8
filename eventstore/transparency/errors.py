"""Why a proof, a note or a checkpoint was refused: one message a person can act on."""

from __future__ import annotations

from eventstore.errors import EventStoreError


class TransparencyError(EventStoreError):
    """Root of every refusal in `eventstore.transparency`."""


class ProofError(TransparencyError):
    """A Merkle proof is malformed or does not prove what it claims (RFC 9162 section 2.1)."""


class NoteError(TransparencyError):
    """A signed note or a key is malformed, or no trusted signature on it verifies."""


class CheckpointError(TransparencyError):
    """A note's text is not a well-formed C2SP tlog-checkpoint."""
