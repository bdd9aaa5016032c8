"""Writing an output file whole or not at all, durably, and never through a planted link.

The content goes to ``FILE.partial`` in the same folder, created exclusively
(``O_CREAT|O_EXCL|O_NOFOLLOW``: an existing file or symbolic link of that name is refused,
never followed or truncated), is fsynced, then takes the final name (by a hard link,
which refuses an existing file, unless ``--force`` allows replacing it), and the folder is
fsynced so the new name survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from opslog.cli.base import UserError

PARTIAL_SUFFIX = ".partial"
EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def refuse_existing(path: Path, force: bool) -> None:
    """One line naming `path` when it exists (or is a link) and `--force` was not given."""
    if not force and (path.exists() or path.is_symlink()):
        raise UserError(f"{path} already exists (pass --force to replace it)")


@contextlib.contextmanager
def written_whole(path: Path, *, force: bool) -> Iterator[BinaryIO]:
    """A binary file to write; on a clean exit it becomes `path`, synced to disk."""
    refuse_existing(path, force)
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"{path}: no folder {folder} (create it first)")
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    try:
        descriptor = os.open(partial, EXCLUSIVE, 0o644)
    except FileExistsError:
        raise UserError(f"{partial} already exists (a file or link left there, or another "
                        "export writing: remove it and try again)") from None
    except OSError as error:
        raise UserError(f"{partial}: cannot create it: {error.strerror}") from None
    placed = False
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        _place(partial, path, force)
        placed = True
        _sync_folder(folder)
    except OSError as error:
        raise UserError(f"{path}: cannot write it: {error.strerror}") from None
    finally:
        if not placed:
            partial.unlink(missing_ok=True)


def _place(partial: Path, path: Path, force: bool) -> None:
    if force:
        os.replace(partial, path)
        return
    try:
        os.link(partial, path, follow_symlinks=False)
    except FileExistsError:
        raise UserError(f"{path} already exists (pass --force to replace it)") from None
    partial.unlink()


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
