"""Holding the log's owner to account: keys, signed checkpoints, proofs and witnesses.

The log signs checkpoints (c2sp.org/tlog-checkpoint) of its Merkle tree with its own key;
anyone holding one can demand proofs and check them offline (`verify-proof`), and a
witness cosigns a new checkpoint only after checking that it extends the last one it
cosigned (`witness cosign`). See docs/security.md for what each catches.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import click

from eventstore.canonical import hash_input
from eventstore.checkpoints import (
    StoredCheckpoint,
    consistency_proof_file,
    default_origin,
    inclusion_proof_file,
    latest_checkpoint,
    make_checkpoint,
)
from eventstore.transparency.checkpoint import open_checkpoint
from eventstore.transparency.errors import TransparencyError
from eventstore.transparency.merkle import leaf_hash
from eventstore.transparency.note import Signer, Verifier
from eventstore.transparency.proofs import (
    parse_consistency,
    parse_inclusion,
    verify_consistency_proof,
    verify_inclusion_proof,
)
from eventstore.transparency.witness import cosign
from eventstore.tree import tree_size
from opslog.cli.base import Context, UserError, pass_context
from opslog.config import parse_database_url
from opslog.keys import (
    ORIGIN_ENV,
    KeyProblem,
    has_signer,
    load_signer,
    load_verifier,
    write_private_key,
)

EXPORT_START = b'{"format":"opslog-export"'
KEY_FILE = click.Path(dir_okay=False, path_type=Path)
READABLE = click.Path(exists=True, dir_okay=False, path_type=Path)
KEY_OPTION = click.option(
    "--key", "key_file", type=KEY_FILE, default=None,
    help="The log's signing key file (default: $OPSLOG_SIGNING_KEY).")
ORIGIN_OPTION = click.option(
    "--origin", default=None,
    help=f"The log's name in its checkpoints (${ORIGIN_ENV}; default "
         "opslog.example/<database name>).")


def _signer(key_file: Path | None, option: str = "--key") -> Signer:
    try:
        return load_signer(key_file, option)
    except KeyProblem as error:
        raise UserError(str(error)) from None


def _read(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{option} {path}: cannot read it: {error}") from None


def _origin(context: Context, origin: str | None) -> str:
    chosen = origin or os.environ.get(ORIGIN_ENV)
    if chosen:
        return chosen
    return default_origin(parse_database_url(context.url))


# -- keys --------------------------------------------------------------------------------


@click.group()
def keys() -> None:
    """The log's Ed25519 signing key: make one, print its public half."""


@keys.command()
@click.option("--out", "out", type=KEY_FILE, required=True,
              help="Where to write the private key (created with mode 0600, never replaced).")
@click.option("--name", default=None,
              help="The key's name (default: the log's origin).")
@ORIGIN_OPTION
@pass_context
def generate(context: Context, out: Path, name: str | None, origin: str | None) -> None:
    """Make a new signing key in FILE and print its note verifier key."""
    try:
        signer = Signer.generate(name or _origin(context, origin))
    except TransparencyError as error:
        raise UserError(f"--name: {error}") from None
    try:
        write_private_key(out, signer)
    except KeyProblem as error:
        raise UserError(str(error)) from None
    click.echo(signer.verifier().text())


@keys.command()
@KEY_OPTION
def public(key_file: Path | None) -> None:
    """Print the note verifier key (the public key) to hand to auditors and witnesses."""
    click.echo(_signer(key_file).verifier().text())


# -- checkpoints and proofs ------------------------------------------------------------------


@click.command()
@KEY_OPTION
@ORIGIN_OPTION
@click.option("--size", type=click.IntRange(min=0), default=None,
              help="Sign the tree at this size (default: the whole log).")
@pass_context
def checkpoint(context: Context, key_file: Path | None, origin: str | None,
               size: int | None) -> None:
    """Sign the log's Merkle tree, record the checkpoint, and print it as a signed note."""
    signer = _signer(key_file)
    made = make_checkpoint(context.store().engine, signer, _origin(context, origin), size)
    click.echo(made.note, nl=False)


def _checkpoint_of(context: Context, size: int | None, key_file: Path | None,
                   origin: str | None) -> StoredCheckpoint:
    """The recorded checkpoint of `size`, signing a new one when a key is given."""
    store = context.store()
    with store.engine.connect() as connection:
        head = tree_size(connection)
        if size is not None and size > head:
            raise UserError(f"--size: {size} is larger than the log ({head} events)")
        if not has_signer(key_file):
            found = latest_checkpoint(connection, size)
            if found is None:
                wanted = "" if size is None else f" of size {size}"
                raise UserError(f"--key: no checkpoint{wanted} is recorded; give the "
                                "signing key, or run opslog checkpoint")
            return found
    return make_checkpoint(store.engine, _signer(key_file), _origin(context, origin), size)


@click.group()
def prove() -> None:
    """Print a proof against a signed checkpoint: inclusion of an event, or consistency."""


@prove.command()
@click.argument("position", type=click.IntRange(min=1))
@click.option("--size", type=click.IntRange(min=1), default=None,
              help="The tree size (default: the newest checkpoint, or the head with --key).")
@KEY_OPTION
@ORIGIN_OPTION
@pass_context
def inclusion(context: Context, position: int, size: int | None, key_file: Path | None,
              origin: str | None) -> None:
    """Print a c2sp.org/tlog-proof@v1 that the event at POSITION is in the log.

    The proof's extra data is the event's hash input, so `opslog verify-proof` can say
    which event it proves.
    """
    signed = _checkpoint_of(context, size, key_file, origin)
    if position > signed.size:
        raise UserError(f"POSITION: {position} is beyond the checkpoint's size {signed.size}")
    store = context.store()
    event = next(iter(store.read_all(from_position=position, to_position=position)))
    data = hash_input(
        position=event.position, event_id=event.event_id, stream_id=event.stream_id,
        version=event.version, type=event.type, schema_version=event.schema_version,
        occurred_at=event.occurred_at, recorded_at=event.recorded_at,
        prev_hash=event.prev_hash, data_json=event.data_json,
        metadata_json=event.metadata_json,
        envelope=getattr(event, "envelope", 1),
        digests_json=getattr(event, "digests_json", None),
    )
    with store.engine.connect() as connection:
        text = inclusion_proof_file(connection, position - 1, signed)
    proof = parse_inclusion(text)
    click.echo(type(proof)(proof.index, proof.path, proof.checkpoint, data).text(), nl=False)


@prove.command()
@click.option("--from-size", "from_size", type=click.IntRange(min=1), required=True,
              help="The size of the checkpoint already held.")
@click.option("--to-size", "to_size", type=click.IntRange(min=1), default=None,
              help="The newer size (default: the newest checkpoint, or the head with --key).")
@KEY_OPTION
@ORIGIN_OPTION
@pass_context
def consistency(context: Context, from_size: int, to_size: int | None, key_file: Path | None,
                origin: str | None) -> None:
    """Print a JSON consistency proof (opslog/consistency-proof@v1) from one size to another."""
    signed = _checkpoint_of(context, to_size, key_file, origin)
    if from_size > signed.size:
        raise UserError(f"--from-size: {from_size} is larger than the checkpoint's size "
                        f"{signed.size}")
    with context.store().engine.connect() as connection:
        click.echo(consistency_proof_file(connection, from_size, signed), nl=False)


@click.command("verify-proof")
@click.argument("proof_file", metavar="PROOF_FILE", type=READABLE)
@click.option("--checkpoint", "checkpoint_file", type=READABLE, required=True,
              help="The signed checkpoint you kept (for a consistency proof: the older one).")
@click.option("--key", "key", required=True,
              help="The log's note verifier key, or a file holding it.")
def verify_proof(proof_file: Path, checkpoint_file: Path, key: str) -> None:
    """Check an inclusion or consistency proof offline; exit 0 only if it holds.

    Needs no database: only PROOF_FILE, the checkpoint you kept and the log's public key.
    """
    log = load_verifier_or_fail(key)
    text = _read(proof_file, "PROOF_FILE")
    kept = _read(checkpoint_file, "--checkpoint")
    try:
        if text.startswith("{"):
            old, new = verify_consistency_proof(text, kept, log)
            a, b = old.checkpoint, new.checkpoint
            click.echo(f"ok: the log of size {b.size} (root {b.root.hex()}) extends the "
                       f"checkpoint of size {a.size} (root {a.root.hex()})")
            return
        proof = parse_inclusion(text)
        if proof.extra is None:
            raise UserError("PROOF_FILE: the proof carries no event (extra line) to check")
        held = open_checkpoint(kept, log).checkpoint
        signed = verify_inclusion_proof(text, leaf_hash(proof.extra), log, kept=held)
    except TransparencyError as error:
        raise UserError(f"PROOF_FILE: refused: {error}") from None
    lines = proof.extra.decode("utf-8", "replace").split("\n")
    fields = lines[1:] if lines[0].startswith("opslog-event-") else lines
    if fields[0] != str(proof.index + 1):
        raise UserError(f"PROOF_FILE: refused: the event is position {fields[0]}, the proof "
                        f"is for leaf {proof.index} (position {proof.index + 1})")
    click.echo(f"ok: event {fields[1]} at position {fields[0]} (hash "
               f"{hashlib.sha256(proof.extra).hexdigest()}) is in the log of size "
               f"{signed.checkpoint.size} (root {signed.checkpoint.root.hex()})")


def load_verifier_or_fail(key: str, option: str = "--key") -> Verifier:
    """The verifier key given, or a clean error naming the option."""
    try:
        return load_verifier(key, option)
    except KeyProblem as error:
        raise UserError(str(error)) from None


# -- witness -----------------------------------------------------------------------------


@click.group()
def witness() -> None:
    """An independent party's cosignature: only for a checkpoint that extends the last."""


def _from_log(source: str, kept_size: int | None) -> tuple[str, list[bytes] | None]:
    """The log's newest checkpoint and a proof from `kept_size`, from a database or a file."""
    if "://" in source:
        from eventstore import EventStore
        from eventstore.tree import consistency_between

        try:
            store = EventStore.open(parse_database_url(source))
        except ValueError as error:
            raise UserError(f"--log: {error}") from None
        try:
            with store.engine.connect() as connection:
                latest = latest_checkpoint(connection)
                if latest is None:
                    raise UserError("--log: the log has no checkpoint (run opslog checkpoint)")
                proof = None
                if kept_size and kept_size <= latest.size:
                    proof = consistency_between(connection, kept_size, latest.size)
                return latest.note, proof
        finally:
            store.close()
    path = Path(source)
    if not path.is_file():
        raise UserError(f"--log: {source} is neither a database URL nor a file")
    with path.open("rb") as handle:
        if handle.read(len(EXPORT_START)) == EXPORT_START:
            from eventstore.errors import EventStoreError
            from eventstore.export import export_checkpoint

            handle.seek(0)
            try:
                return export_checkpoint(handle, kept_size)
            except EventStoreError as error:
                raise UserError(f"--log: {error}") from None
    text = _read(path, "--log")
    if not text.startswith("{"):
        return text, None
    try:
        proof_file = parse_consistency(text)
    except TransparencyError as error:
        raise UserError(f"--log: {error}") from None
    if kept_size is not None and proof_file.old_size != kept_size:
        raise UserError(f"--log: the proof is from size {proof_file.old_size}, the "
                        f"checkpoint kept is of size {kept_size}")
    return proof_file.checkpoint, list(proof_file.hashes)


@witness.command("cosign")
@click.option("--log", "log_source", required=True, metavar="URL|FILE",
              help="The log's database URL, or a file: an export (opslog export; its "
                   "newest checkpoint, the proof computed from its events), a signed "
                   "checkpoint, or a consistency proof (opslog prove consistency) from the "
                   "size kept.")
@click.option("--log-key", "log_key", required=True,
              help="The log's note verifier key, or a file holding it.")
@click.option("--key", "key_file", type=KEY_FILE, required=True,
              help="The witness's own signing key file.")
@click.option("--state", "state", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Directory keeping the last checkpoint cosigned.")
def witness_cosign(log_source: str, log_key: str, key_file: Path, state: Path) -> None:
    """Cosign the log's new checkpoint if it extends the last one cosigned; print it."""
    log = load_verifier_or_fail(log_key, "--log-key")
    signer = _signer(key_file)
    kept_file = state / "checkpoint"
    kept = _read(kept_file, "--state") if kept_file.exists() else None
    kept_size = None
    if kept is not None:
        try:
            kept_size = open_checkpoint(kept, log).checkpoint.size
        except TransparencyError as error:
            raise UserError(f"--state: the kept checkpoint is not valid: {error}") from None
    note, proof = _from_log(log_source, kept_size)
    try:
        cosigned = cosign(kept, note, proof, log, signer)
    except TransparencyError as error:
        raise UserError(f"refused: {error}") from None
    state.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=state, delete=False, encoding="utf-8") as handle:
        handle.write(cosigned)
        handle.flush()
        os.fsync(handle.fileno())
    Path(handle.name).replace(kept_file)
    click.echo(cosigned, nl=False)
