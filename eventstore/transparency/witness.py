"""A witness: cosign a log's new checkpoint only if it extends the last one cosigned.

Why: a log's owner can rewrite history and sign a new tree, or show one history to one
party and another to the next (a fork). A witness that keeps the last checkpoint it
cosigned and demands a consistency proof before cosigning the next makes both visible:
a smaller tree, a tree of equal size with another root, or a proof that does not lead
from the kept root to the new one is refused, naming sizes and roots.

The cosignature is a second signature line on the same signed note (c2sp.org/signed-note,
the witness's own Ed25519 key and name), so anyone can check it with `note.open_note` and
the witness's verifier key, and the log's checkpoint text is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventstore.transparency.checkpoint import open_checkpoint
from eventstore.transparency.errors import ProofError, TransparencyError
from eventstore.transparency.merkle import verify_consistency
from eventstore.transparency.note import Signer, Verifier, parse, sign


class WitnessRefused(TransparencyError):
    """The witness will not cosign: the new checkpoint does not extend the one it kept."""


def cosign(kept: str | None, new_note: str, proof: Sequence[bytes] | None, log: Verifier,
           witness: Signer) -> str:
    """Check `new_note` against the `kept` checkpoint and return it cosigned by `witness`.

    `kept` is the last note this witness cosigned (None at first contact: trust on first
    use); `proof` is RFC 9162 PROOF(kept size, new size), None when there is nothing kept.
    Raises `WitnessRefused` naming sizes and roots, or the note's own error.
    """
    new = open_checkpoint(new_note, log).checkpoint
    if kept is not None:
        old = open_checkpoint(kept, log, [witness.verifier()]).checkpoint
        if old.origin != new.origin:
            raise WitnessRefused(
                f"the new checkpoint is for origin {new.origin!r}, the kept one for "
                f"{old.origin!r}")
        if new.size < old.size:
            raise WitnessRefused(
                f"the new checkpoint (size {new.size}, root {new.root.hex()}) is smaller "
                f"than the one cosigned (size {old.size}, root {old.root.hex()}): "
                "the log was truncated or forked")
        try:
            if old.size:
                verify_consistency(old.size, new.size, old.root, new.root, proof or ())
            elif new.size == 0 and new.root != old.root:
                raise ProofError("two empty trees with different roots")
        except ProofError as error:
            raise WitnessRefused(
                f"the new checkpoint (size {new.size}, root {new.root.hex()}) is not "
                f"consistent with the one cosigned (size {old.size}, root "
                f"{old.root.hex()}): {error}") from None
    return sign(parse(new_note), witness)
