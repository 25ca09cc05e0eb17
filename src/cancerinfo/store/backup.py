"""``cancerinfo backup``: a consistent copy of a store, made while it may be in use.

Copying ``kb.db`` with ``cp`` while a server writes to it loses what is still in the
write-ahead log (``kb.db-wal``: the newest feedback and sessions) and can copy a torn
file. SQLite's online backup API reads one consistent snapshot, WAL included. The copy
is written beside the destination and renamed into place when complete, so an
interrupted backup never leaves a half-written file under the destination's name; the
copy is a single self-contained file (rollback journal, no ``-wal`` beside it).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from cancerinfo.errors import StoreError
from cancerinfo.store.database import Store


def backup_store(source: Path, dest: Path, *, force: bool = False) -> dict[str, Any]:
    """Copy the store at ``source`` to ``dest``; an existing ``dest`` only with ``force``."""
    _check_destination(source, dest, force=force)
    with Store.open(source) as store:  # refuses a missing file or one that is not a store
        folder = dest.parent if str(dest.parent) else Path(".")
        handle, temporary_name = tempfile.mkstemp(
            prefix=f".{dest.name}.", suffix=".partial", dir=folder
        )
        os.close(handle)
        temporary = Path(temporary_name)
        try:
            target = sqlite3.connect(temporary, isolation_level=None)
            try:
                store.connection.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
                documents = target.execute("SELECT count(*) FROM documents").fetchone()[0]
                check = target.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                target.close()
            if check != "ok":
                raise StoreError(
                    f"{dest}: the copy fails SQLite's quick_check ({check}); nothing was replaced"
                )
            os.replace(temporary, dest)
        except sqlite3.DatabaseError as exc:
            kind = getattr(exc, "sqlite_errorname", "")
            if kind in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in str(exc):  # the store itself
                raise StoreError(
                    f"{source} is damaged and cannot be backed up ({exc}); nothing was written to {dest}; "
                    "restore an earlier backup, or delete the store and run 'cancerinfo ingest' again"
                ) from None
            raise StoreError(f"{dest}: backup failed ({exc}); nothing was replaced") from None
        except sqlite3.Error as exc:
            raise StoreError(f"{dest}: backup failed ({exc}); nothing was replaced") from None
        except OSError as exc:
            raise StoreError(
                f"{dest}: backup failed ({exc.strerror or exc}); nothing was replaced"
            ) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    return {
        "source": str(source),
        "dest": str(dest),
        "bytes": dest.stat().st_size,
        "documents": documents,
    }


def _check_destination(source: Path, dest: Path, *, force: bool) -> None:
    if not dest.parent.is_dir():
        raise StoreError(f"{dest}: folder {dest.parent} does not exist")
    if dest.is_dir():
        raise StoreError(f"{dest} is a folder; give the path of the backup file")
    if dest.exists() or dest.is_symlink():
        if source.exists() and dest.exists() and os.path.samefile(source, dest):
            raise StoreError(f"{dest} is the store itself; give another path")
        if not force:
            raise StoreError(f"{dest} already exists; pass --force to replace it")
    for companion in (Path(f"{dest}-wal"), Path(f"{dest}-shm"), Path(f"{dest}-journal")):
        if companion.exists():
            raise StoreError(
                f"{dest} is in use or was not closed cleanly ({companion.name} exists beside it); "
                "stop what uses it, or back up to another path"
            )
