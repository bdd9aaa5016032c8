"""C2SP tlog-checkpoint: published checkpoints verify, malformed ones are refused by line.

SUMDB_CHECKPOINTS are tree heads signed by sum.golang.org (copied from public test files:
transparency-dev's checkpoint parser benchmark and a Go sumdb note test), checked with the
public key the Go command ships. The spec's own example has no published key, so it is
only parsed.
"""

from __future__ import annotations

import base64

import pytest

from eventstore.transparency.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from eventstore.transparency.errors import CheckpointError, NoteError
from eventstore.transparency.note import Signer, Verifier, parse, sign

SUMDB_KEY = Verifier.parse("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8")
SUMDB_CHECKPOINTS = [
    (
        "go.sum database tree\n31700353\nqINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=\n\n"
        "— sum.golang.org Az3grnmrIUEDFqHzAElIQCPNoRFRAAdFo47fooyWKMHb89k11GJh5zHIfNCOBmwn/C3YI8o"
        "W9/C8DJ87F61QqspBYwM=\n",
        31700353,
    ),
    (
        "go.sum database tree\n65209736\n5+uGFjx6xBZG8ip1+wi77v+grwbhhukIrxEUS8PXvRo=\n\n"
        "— sum.golang.org Az3grnbssgK7ubgFX36gVETtNv0U23qxyAhAMai2QUfeGa3nB/akvkMdlUErfcZz7l/R3cV"
        "tYspg3dxXABkGZZKdsQ8=\n",
        65209736,
    ),
]
SPEC_EXAMPLE = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)
ROOT = bytes(range(32))
ROOT_B64 = base64.b64encode(ROOT).decode()
ORIGIN = "opslog.example/log"


@pytest.mark.parametrize(("message", "size"), SUMDB_CHECKPOINTS)
def test_published_sumdb_checkpoints_verify(message: str, size: int) -> None:
    """Real signed tree heads open with the published key, origin and size as signed."""
    signed = open_checkpoint(message, SUMDB_KEY, origin="go.sum database tree")
    assert signed.checkpoint.size == size
    assert len(signed.checkpoint.root) == 32
    tampered = message.replace(str(size), str(size + 1))
    with pytest.raises(NoteError, match=r"invalid signature by key sum.golang.org"):
        open_checkpoint(tampered, SUMDB_KEY)


def test_the_spec_example_parses() -> None:
    """c2sp.org/tlog-checkpoint's example body, line by line."""
    checkpoint = parse_checkpoint(SPEC_EXAMPLE)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert base64.b64encode(checkpoint.root).decode() == (
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    )
    assert checkpoint.text() == SPEC_EXAMPLE


def test_a_checkpoint_round_trips_with_extensions() -> None:
    """Made, signed, opened: the same checkpoint, extension lines kept in order."""
    log = Signer.generate(ORIGIN)
    checkpoint = Checkpoint(ORIGIN, 12, ROOT, ("ext one", "ext two"))
    assert checkpoint.text() == f"{ORIGIN}\n12\n{ROOT_B64}\next one\next two\n"
    signed = open_checkpoint(checkpoint.sign(log), log.verifier(), origin=ORIGIN)
    assert signed.checkpoint == checkpoint
    assert parse_checkpoint(Checkpoint(ORIGIN, 0, ROOT).text()).size == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"{ORIGIN}\n5\n{ROOT_B64}", "must end with a newline"),
        (f"{ORIGIN}\n5\n", "has 2 lines"),
        (f"\n5\n{ROOT_B64}\n", "origin is empty"),
        (f"{ORIGIN}\r\n5\n{ROOT_B64}\n", "control character"),
        (f"{ORIGIN}\n05\n{ROOT_B64}\n", "'05' is not a decimal number"),
        (f"{ORIGIN}\n-1\n{ROOT_B64}\n", "'-1' is not a decimal number"),
        (f"{ORIGIN}\n+5\n{ROOT_B64}\n", "'\\+5' is not a decimal number"),
        (f"{ORIGIN}\n 5\n{ROOT_B64}\n", "' 5' is not a decimal number"),
        (f"{ORIGIN}\n1e3\n{ROOT_B64}\n", "'1e3' is not a decimal number"),
        (f"{ORIGIN}\n\u0665\n{ROOT_B64}\n", "is not a decimal number"),
        (f"{ORIGIN}\n\n{ROOT_B64}\n", "'' is not a decimal number"),
        (f"{ORIGIN}\n{2**64}\n{ROOT_B64}\n", "larger than an unsigned 64-bit"),
        (f"{ORIGIN}\n5\nnot base64!\n", "is not base64"),
        (f"{ORIGIN}\n5\n{ROOT_B64[:-1]}\n", "is not base64"),
        (f"{ORIGIN}\n5\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes, not 32"),
        (f"{ORIGIN}\n5\n{base64.b64encode(ROOT + b'x').decode()}\n", "33 bytes, not 32"),
        (f"{ORIGIN}\n5\n{ROOT_B64[:-2]}B=\n", "not canonical base64"),
        (f"{ORIGIN}\n5\n{ROOT_B64}\n\n", "extension line 1 is empty"),
    ],
)
def test_malformed_checkpoints_are_refused(text: str, reason: str) -> None:
    """Each wrong line is refused with what is wrong with it."""
    with pytest.raises(CheckpointError, match=reason):
        parse_checkpoint(text)


def test_a_checkpoint_that_cannot_be_written_is_refused() -> None:
    """The constructor holds the same rules, so no malformed checkpoint is ever signed."""
    with pytest.raises(CheckpointError, match="root hash is 31 bytes"):
        Checkpoint(ORIGIN, 1, ROOT[:31])
    with pytest.raises(CheckpointError, match="not an unsigned 64-bit"):
        Checkpoint(ORIGIN, -1, ROOT)
    with pytest.raises(CheckpointError, match=r"origin .* control character"):
        Checkpoint("two\nlines", 1, ROOT)


def test_a_checkpoint_not_signed_by_the_log_is_refused() -> None:
    """A witness's signature alone does not make a checkpoint the log's."""
    log = Signer.generate(ORIGIN)
    witness = Signer.generate("audit.example/witness")
    only_witness = Checkpoint(ORIGIN, 3, ROOT).sign(witness)
    with pytest.raises(CheckpointError, match=r"not signed by the log key opslog.example/log"):
        open_checkpoint(only_witness, log.verifier(), [witness.verifier()])


def test_another_logs_checkpoint_is_refused() -> None:
    """The origin must be the one the reader expects."""
    log = Signer.generate(ORIGIN)
    other = Checkpoint("elsewhere.example/log", 3, ROOT).sign(log)
    with pytest.raises(CheckpointError, match=r"origin 'elsewhere.example/log', not the expected"):
        open_checkpoint(other, log.verifier(), origin=ORIGIN)


def test_witness_cosignatures_are_checked() -> None:
    """A cosigned checkpoint names its witnesses; a forged cosignature rejects it."""
    log = Signer.generate(ORIGIN)
    witness = Signer.generate("audit.example/witness")
    signed = Checkpoint(ORIGIN, 3, ROOT).sign(log)
    cosigned = sign(parse(signed), witness)
    opened = open_checkpoint(cosigned, log.verifier(), [witness.verifier()])
    assert opened.note.signed_by(witness.verifier())
    impostor = Signer(witness.name, witness.key_id, Signer.generate("x").seed)
    forged = sign(parse(signed), impostor)
    with pytest.raises(NoteError, match=r"invalid signature by key audit.example/witness"):
        open_checkpoint(forged, log.verifier(), [witness.verifier()])
