"""C2SP signed notes: golang.org/x/mod/sumdb/note's published keys and notes, and refusals.

The keys, text and signature lines below are copied from sumdb/note/note_test.go
(PeterNeumann, EnochRoot) and from the Go command's test sumdb key (localhost.localdev,
whose key text contains '+' and whose key ID starts with zeroes).
"""

from __future__ import annotations

import pytest

from eventstore.transparency.errors import NoteError
from eventstore.transparency.note import (
    Note,
    Signature,
    Signer,
    Verifier,
    open_note,
    parse,
    sign,
)

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
LOCAL_VKEY = "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6"
LOCAL_SKEY = (
    "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk"
)
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb"
    "6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33"
    "WWd1RvMc+QQ=\n"
)
PETER = Verifier.parse(PETER_VKEY)
ENOCH = Verifier.parse(ENOCH_VKEY)


def test_published_keys_parse_and_pair_up() -> None:
    """The signer keys' public halves print as the published verifier keys."""
    assert Signer.parse(PETER_SKEY).verifier() == PETER
    assert Signer.parse(PETER_SKEY).verifier().text() == PETER_VKEY
    assert Signer.parse(LOCAL_SKEY).verifier().text() == LOCAL_VKEY
    assert Verifier.parse(LOCAL_VKEY).key_id == 0x00000C67
    assert Signer.parse(PETER_SKEY).text() == PETER_SKEY
    assert PETER.key_id == 0xC74F20A3


def _manglings(text: str) -> list[str]:
    """Every proper substring and every one-character increment, as sumdb/note tests."""
    out = [text[i:j] for i in range(len(text) + 1) for j in range(i + 1, len(text) + 1)]
    out = [s for s in out if s != text]
    out += [text[:i] + chr(ord(text[i]) + 1) + text[i + 1 :] for i in range(len(text))]
    return out


def test_mangled_verifier_keys_are_refused() -> None:
    """Any cut or changed character of a verifier key is refused, with a reason."""
    for mangled in _manglings(PETER_VKEY):
        with pytest.raises(NoteError):
            Verifier.parse(mangled)
    with pytest.raises(NoteError, match="verifier key is not"):
        Verifier.parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    with pytest.raises(NoteError, match="0x01 followed by a 32-byte"):
        Verifier.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_mangled_signer_keys_are_refused() -> None:
    """Any cut or changed character of a signer key is refused."""
    for mangled in _manglings(PETER_SKEY):
        with pytest.raises(NoteError):
            Signer.parse(mangled)


def test_sign_gives_the_published_note() -> None:
    """Ed25519 is deterministic, so signing the published text gives the published line."""
    signer = Signer.parse(PETER_SKEY)
    assert sign(TEXT, signer) == TEXT + "\n" + PETER_SIG
    stale = Note(TEXT, (Signature(signer.name, signer.key_id, b"BADSIGN"),))
    assert sign(stale, signer) == TEXT + "\n" + PETER_SIG


@pytest.mark.parametrize("text", ["abc", "", "tab\there\n"])
def test_sign_refuses_text_that_is_not_a_note(text: str) -> None:
    """Note text is non-empty, ends with a newline and has no control characters."""
    with pytest.raises(NoteError, match="note text"):
        sign(text, Signer.parse(PETER_SKEY))


def test_open_checks_known_keys_and_sets_unknown_ones_aside() -> None:
    """One trusted key: its line verified, the other kept unverified; two: both verified."""
    message = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    opened = open_note(message, [PETER])
    assert opened.text == TEXT
    assert [s.name for s in opened.verified] == ["PeterNeumann"]
    assert [s.name for s in opened.unverified] == ["EnochRoot"]
    assert opened.signed_by(PETER)
    assert not opened.signed_by(ENOCH)
    both = open_note(message, [PETER, ENOCH])
    assert [s.name for s in both.verified] == ["PeterNeumann", "EnochRoot"]
    assert both.unverified == ()


def test_a_note_no_trusted_key_signed_is_refused() -> None:
    """Without a verified signature by a trusted key the note is refused, naming the keys."""
    with pytest.raises(NoteError, match="no signature on the note is by a trusted key"):
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])
    with pytest.raises(NoteError, match=r"trusted key \(EnochRoot\+af0cfe78\)"):
        open_note(TEXT + "\n" + PETER_SIG, [ENOCH])


def test_a_bad_signature_by_a_known_key_rejects_the_note() -> None:
    """A line by a trusted key that does not verify is named, even beside a good one."""
    broken = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match=r"invalid signature by key PeterNeumann\+c74f20a3"):
        open_note(TEXT + "\n" + broken, [PETER])
    with pytest.raises(NoteError, match="invalid signature by key EnochRoot"):
        open_note(TEXT.replace("If", "if") + "\n" + ENOCH_SIG, [PETER, ENOCH])


def test_repeated_lines_count_once() -> None:
    """The same line twice is one signature, as sumdb/note reads it."""
    opened = open_note(TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG, [PETER])
    assert len(opened.verified) == 1
    assert len(opened.unverified) == 1


def test_two_trusted_keys_with_one_name_and_id_are_refused_when_used() -> None:
    """Which key to check would be a guess: refused."""
    impostor = Verifier(ENOCH.name, ENOCH.key_id, PETER.public_key)
    with pytest.raises(NoteError, match="two trusted keys are named EnochRoot"):
        open_note(TEXT + "\n" + ENOCH_SIG, [ENOCH, PETER, impostor])
    open_note(TEXT + "\n" + PETER_SIG, [ENOCH, PETER, impostor])


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (TEXT, "no blank line before its signatures"),
        (TEXT + "\n", "no signature lines"),
        (TEXT + "\n" + PETER_SIG[:-1], "last line does not end"),
        ("\x01" + TEXT + "\n" + PETER_SIG, "control character"),
        (b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), "not UTF-8"),
        (TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
         "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n", "not base64"),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "does not start with an em dash"),
        (TEXT + "\n" + PETER_SIG * 101, "more than 100"),
        (TEXT + "\n" + "— PeterNeumann AAAA\n", "shorter than a key ID"),
        (TEXT + "\n" + "— Peter+Neumann AAAAAAA=\n", "contains a space, a plus"),
    ],
)
def test_malformed_notes_are_refused(message: str | bytes, reason: str) -> None:
    """Each malformation sumdb/note refuses is refused here, with what is wrong."""
    with pytest.raises(NoteError, match=reason):
        open_note(message, [PETER])


def test_a_witness_cosigns_and_each_line_is_checked_by_its_key() -> None:
    """The log signs, a witness adds its line; each verifier checks its own line only."""
    log = Signer.generate("opslog.example/log")
    witness = Signer.generate("audit.example/witness")
    signed = sign("opslog.example/log\n5\nAAAA\n", log)
    cosigned = sign(parse(signed), witness)
    assert cosigned.startswith(signed)
    opened = open_note(cosigned, [log.verifier(), witness.verifier()])
    assert opened.signed_by(log.verifier())
    assert opened.signed_by(witness.verifier())
    only_log = open_note(cosigned, [log.verifier()])
    assert [s.name for s in only_log.unverified] == [witness.name]


def test_a_forged_cosignature_is_refused() -> None:
    """A line claiming the witness's name and key ID, signed by another key, fails."""
    log = Signer.generate("opslog.example/log")
    witness = Signer.generate("audit.example/witness")
    forger = Signer.from_seed(witness.name, bytes(32))
    forged = sign(parse(sign("opslog.example/log\n5\nAAAA\n", log)),
                  Signer(witness.name, witness.key_id, forger.seed))
    open_note(forged, [log.verifier()])
    with pytest.raises(NoteError, match=r"invalid signature by key audit.example/witness"):
        open_note(forged, [log.verifier(), witness.verifier()])


def test_generated_keys_round_trip_through_their_text() -> None:
    """A new key's texts parse back to the same key, and a signature made with it verifies."""
    signer = Signer.generate("opslog.example/log")
    assert Signer.parse(signer.text()) == signer
    assert Verifier.parse(signer.verifier().text()) == signer.verifier()
    assert signer.verifier().verifies(b"hi", signer.sign(b"hi"))
    assert not signer.verifier().verifies(b"hj", signer.sign(b"hi"))
    assert signer.seed.hex() not in repr(signer)
    assert str(signer.seed) not in repr(signer)


@pytest.mark.parametrize("name", ["", "two words", "a+b", "tab\tname", "nbsp\u00a0name"])
def test_bad_key_names_are_refused(name: str) -> None:
    """Key names are non-empty, with no Unicode space and no plus."""
    with pytest.raises(NoteError, match="key name"):
        Signer.generate(name)
