"""C2SP signed notes with Ed25519: keys, signing, cosigning, and opening a note.

Why: a checkpoint is only worth keeping if whoever keeps it can check who vouched for it,
offline, with a public key they were given out of band. The C2SP `signed-note` format
(c2sp.org/signed-note, the format of golang.org/x/mod/sumdb/note) is what transparency logs
and their witnesses already exchange: the text, a blank line, then one line per signature,
`— <key name> <base64(key ID || signature)>`. A witness cosigns by adding its own line.

Keys have the same text forms as sumdb/note, so they interoperate with Go tooling:
verifier `<name>+<hex key ID>+<base64(0x01 || public key)>` and signer
`PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || private key seed)>`, where the key ID is
SHA-256(name || 0x0A || 0x01 || public key)[:4] and 0x01 names Ed25519 (RFC 8032).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eventstore.transparency.errors import NoteError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ED25519 = 0x01
"""The signature type byte C2SP signed-note assigns to Ed25519."""

MAX_SIGNATURES = 100
"""More signature lines than this make a note malformed (the spec requires at least 16)."""

DASH = "\u2014"
"""Every signature line starts with an em dash and a space."""


def _private_key(seed: bytes | None = None) -> Ed25519PrivateKey:
    """The key for `seed` (a new one for None). cryptography is imported here, on first
    use: a process that only reads the log (``opslog status``) signs and checks nothing."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if seed is None:
        return Ed25519PrivateKey.generate()
    return Ed25519PrivateKey.from_private_bytes(seed)


def _b64decode(text: str, what: str) -> bytes:
    """Strict RFC 4648 section 4 base64: no stray characters, canonical padding."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise NoteError(f"{what} is not base64: {error}") from None
    if base64.b64encode(raw).decode() != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def check_key_name(name: str) -> None:
    """A key name is non-empty, without Unicode spaces, plus signs or control characters."""
    if not name:
        raise NoteError("key name is empty")
    if "+" in name or any(c.isspace() or ord(c) < 0x20 for c in name):
        raise NoteError(f"key name {name!r} contains a space, a plus or a control character")


def key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _parse_key_id(text: str) -> int:
    if len(text) != 8 or any(c not in "0123456789abcdef" for c in text):
        raise NoteError(f"key ID {text!r} is not 8 lowercase hex digits")
    return int(text, 16)


def _parse_typed_key(text: str, what: str) -> bytes:
    raw = _b64decode(text, what)
    if len(raw) != 33 or raw[0] != ED25519:
        raise NoteError(f"{what} is not 0x01 followed by a 32-byte Ed25519 key")
    return raw[1:]


@dataclass(frozen=True)
class Verifier:
    """A trusted public key under a name: what a reader of checkpoints is configured with."""

    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Read `<name>+<hex key ID>+<base64(0x01 || public key)>`, checking the ID."""
        name, _, rest = text.partition("+")
        id_text, _, key_text = rest.partition("+")
        check_key_name(name)
        claimed = _parse_key_id(id_text)
        public_key = _parse_typed_key(key_text, "verifier key")
        if key_id(name, public_key) != claimed:
            raise NoteError(f"verifier key {name}+{id_text}: the key ID does not match the key")
        return cls(name, claimed, public_key)

    def text(self) -> str:
        """The verifier key's text form, to print and hand to auditors."""
        encoded = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    def verifies(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` is this key's Ed25519 signature of `message`."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A private key under a name: the log's, or a witness's."""

    name: str
    key_id: int
    seed: bytes = field(repr=False)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new Ed25519 key pair under `name`."""
        check_key_name(name)
        return cls.from_seed(name, _private_key().private_bytes_raw())

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Signer:
        """The signer for a 32-byte RFC 8032 private key seed."""
        check_key_name(name)
        if len(seed) != 32:
            raise NoteError(f"an Ed25519 private key seed is 32 bytes, not {len(seed)}")
        public = _private_key(seed).public_key().public_bytes_raw()
        return cls(name, key_id(name, public), seed)

    @classmethod
    def parse(cls, text: str) -> Signer:
        """Read `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`, checking the ID."""
        head, _, rest = text.partition("+")
        word, _, rest = rest.partition("+")
        if head != "PRIVATE" or word != "KEY":
            raise NoteError("a signer key starts with PRIVATE+KEY+")
        name, _, rest = rest.partition("+")
        id_text, _, key_text = rest.partition("+")
        check_key_name(name)
        claimed = _parse_key_id(id_text)
        signer = cls.from_seed(name, _parse_typed_key(key_text, "signer key"))
        if signer.key_id != claimed:
            raise NoteError(f"signer key {name}+{id_text}: the key ID does not match the key")
        return signer

    def text(self) -> str:
        """The signer key's text form: keep it secret (a file of mode 0600, or the environment)."""
        encoded = base64.b64encode(bytes([ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{encoded}"

    def verifier(self) -> Verifier:
        """The public half, to publish."""
        public = _private_key(self.seed).public_key().public_bytes_raw()
        return Verifier(self.name, self.key_id, public)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of `message`."""
        return _private_key(self.seed).sign(message)


@dataclass(frozen=True)
class Signature:
    """One signature line: who claims to have signed, and the signature bytes."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        """`— <name> <base64(key ID || signature)>` followed by a newline."""
        encoded = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode()
        return f"{DASH} {self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    """A note's text (ending in a newline) and its signature lines, none of them checked yet."""

    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        """The note as exchanged: text, a blank line, the signature lines."""
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


@dataclass(frozen=True)
class OpenedNote:
    """A note at least one trusted key signed: `verified` by known keys, `unverified` others."""

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]

    def signed_by(self, verifier: Verifier) -> bool:
        """Whether `verifier`'s key signed this note (it was checked when the note was opened)."""
        return any(
            s.name == verifier.name and s.key_id == verifier.key_id for s in self.verified
        )


def _check_characters(message: str, what: str) -> None:
    for c in message:
        if ord(c) < 0x20 and c != "\n":
            raise NoteError(f"{what} contains the control character {c!r}")


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must be non-empty and end with a newline")
    _check_characters(text, "note text")


def _parse_signature(line: str) -> Signature:
    if not line.startswith(DASH + " "):
        raise NoteError(f"signature line {line!r} does not start with an em dash and a space")
    name, space, encoded = line[2:].partition(" ")
    if not space:
        raise NoteError(f"signature line {line!r} has no signature after the key name")
    check_key_name(name)
    raw = _b64decode(encoded, f"signature by {name}")
    if len(raw) < 5:
        raise NoteError(f"signature by {name} is shorter than a key ID and a signature")
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def parse(message: str | bytes) -> Note:
    """Split a signed note into its text and signature lines, refusing any malformation."""
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NoteError(f"note is not UTF-8: {error.reason}") from None
    _check_characters(message, "note")
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    _check_text(text)
    if not block or not block.endswith("\n"):
        raise NoteError("note has no signature lines, or its last line does not end")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has {len(lines)} signatures, more than {MAX_SIGNATURES}")
    signatures: list[Signature] = []
    for line in lines:
        signature = _parse_signature(line)
        if signature not in signatures:
            signatures.append(signature)
    return Note(text, tuple(signatures))


def sign(note: Note | str, *signers: Signer) -> str:
    """Add each signer's line to a note (or to bare text), replacing its earlier line if any.

    This is how a log signs a checkpoint and how a witness cosigns one.
    """
    if isinstance(note, str):
        note = Note(note, ())
    _check_text(note.text)
    if not signers:
        raise NoteError("signing needs at least one signer")
    replaced = {(s.name, s.key_id) for s in signers}
    kept = [s for s in note.signatures if (s.name, s.key_id) not in replaced]
    message = note.text.encode()
    added = [Signature(s.name, s.key_id, s.sign(message)) for s in signers]
    signatures = (*kept, *added)
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return Note(note.text, signatures).render()


def open_note(message: str | bytes, verifiers: Sequence[Verifier]) -> OpenedNote:
    """Parse a note and check every signature by a known key (same name and key ID).

    As c2sp.org/signed-note asks: lines by unknown keys are kept aside unchecked, a bad
    signature by a known key rejects the whole note, and so does a note no known key signed.
    """
    note = parse(message)
    known: dict[tuple[str, int], Verifier] = {}
    ambiguous: set[tuple[str, int]] = set()
    for verifier in verifiers:
        key = (verifier.name, verifier.key_id)
        if key in known and known[key] != verifier:
            ambiguous.add(key)
        known[key] = verifier
    body = note.text.encode()
    verified: list[Signature] = []
    unverified: list[Signature] = []
    for signature in note.signatures:
        key = (signature.name, signature.key_id)
        if key in ambiguous:
            raise NoteError(f"two trusted keys are named {signature.name}+{signature.key_id:08x}")
        trusted = known.get(key)
        if trusted is None:
            unverified.append(signature)
        elif trusted.verifies(body, signature.signature):
            verified.append(signature)
        else:
            raise NoteError(f"invalid signature by key {signature.name}+{signature.key_id:08x}")
    if not verified:
        names = ", ".join(f"{v.name}+{v.key_id:08x}" for v in verifiers) or "none given"
        raise NoteError(f"no signature on the note is by a trusted key ({names})")
    return OpenedNote(note.text, tuple(verified), tuple(unverified))
