"""Where the log's signing key and the keys it is checked with come from.

Why: a checkpoint is worth what its private key's secrecy is worth. The key lives in a
file only its owner can read (made with mode 0600, never overwritten) or in the
environment (``OPSLOG_SIGNING_KEY``, e.g. from a secrets manager), in the C2SP
signed-note text form (``PRIVATE+KEY+<name>+<id>+<base64>``). Public keys travel as note
verifier keys (``<name>+<id>+<base64>``), given as a file or as the text itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

from eventstore.checkpoints import Signing, default_origin
from eventstore.transparency.errors import NoteError
from eventstore.transparency.note import Signer, Verifier

SIGNING_KEY_ENV = "OPSLOG_SIGNING_KEY"
ORIGIN_ENV = "OPSLOG_ORIGIN"


class KeyProblem(ValueError):
    """A key that is missing, unreadable or malformed: the message names where it came from."""


def write_private_key(path: Path, signer: Signer) -> None:
    """Create `path` with mode 0600 holding the signer key; refuse to replace a file."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyProblem(f"--out: {path} already exists; a key is never overwritten") from None
    except OSError as error:
        raise KeyProblem(f"--out: cannot create {path}: {error.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(signer.text() + "\n")


def load_signer(path: Path | None, option: str = "--key") -> Signer:
    """The signer in file `path`, else in ``$OPSLOG_SIGNING_KEY``."""
    if path is not None:
        where = f"{option} {path}"
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise KeyProblem(f"{where}: cannot read the key: {error}") from None
    else:
        where = f"${SIGNING_KEY_ENV}"
        text = os.environ.get(SIGNING_KEY_ENV, "").strip()
        if not text:
            raise KeyProblem(
                f"{option}: no signing key given (a key file, or ${SIGNING_KEY_ENV}); "
                "make one with opslog keys generate")
    try:
        return Signer.parse(text)
    except NoteError as error:
        raise KeyProblem(f"{where}: not a signing key: {error}") from None


def has_signer(path: Path | None) -> bool:
    """Whether a signing key was given, as a file or in the environment."""
    return path is not None or bool(os.environ.get(SIGNING_KEY_ENV, "").strip())


def load_verifier(value: str, option: str = "--key") -> Verifier:
    """A verifier key given as its text or as a file holding it."""
    text = value.strip()
    try:
        is_file = Path(value).is_file()
    except OSError:
        is_file = False
    if is_file:
        try:
            text = Path(value).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise KeyProblem(f"{option} {value}: cannot read the key: {error}") from None
    try:
        return Verifier.parse(text)
    except NoteError as error:
        raise KeyProblem(f"{option}: not a verifier key: {error}") from None


def signing_from_environment(url: URL) -> Signing | None:
    """The log's key and origin from ``$OPSLOG_SIGNING_KEY`` and ``$OPSLOG_ORIGIN`` (default
    ``opslog.example/<database name>``); None when no key is set."""
    if not has_signer(None):
        return None
    return Signing(load_signer(None, f"${SIGNING_KEY_ENV}"),
                   os.environ.get(ORIGIN_ENV) or default_origin(url))
