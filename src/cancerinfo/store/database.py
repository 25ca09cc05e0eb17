"""Opening the SQLite store: create it, check where it came from, hand out transactions.

A store records its schema version, the cancerinfo version that wrote it and when it was
created (table ``meta``, plus SQLite's ``application_id``). Opening a file of another
schema version, or a SQLite file that is not a cancerinfo store, raises
:class:`~cancerinfo.errors.StoreMismatch` instead of guessing.
"""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cancerinfo import __version__
from cancerinfo.errors import StoreBusy, StoreError, StoreMismatch, StoreNotFound
from cancerinfo.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, TABLES

BUSY_TIMEOUT_MS = 10_000

#: The store this process opened last: named by :func:`database_error_message` when a
#: SQLite error surfaces far from where the store was opened (the CLI's last resort).
_last_opened: Path | None = None


def database_error_message(exc: sqlite3.DatabaseError, path: Path | None = None) -> str:
    """One line for a SQLite error: which file, what happened, what to do."""
    where = path or _last_opened
    name = f"{where}" if where is not None else "the store"
    kind = getattr(exc, "sqlite_errorname", "")
    limit = file_size_limit()
    if limit is not None and kind.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
        return (
            f"{name}: cannot be written ({exc}): this process may not write a file past "
            f"{limit:,} bytes (the file size limit, 'ulimit -f'); raise the limit and try again "
            "(nothing was lost)"
        )
    if kind == "SQLITE_FULL":
        return f"{name}: the disk is full ({exc}); free some space and try again (nothing was lost)"
    if kind in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in str(exc):
        return (
            f"{name} is damaged ({exc}); restore it from a backup ('cancerinfo backup'), or "
            "delete it and run 'cancerinfo ingest' again ('cancerinfo verify' names damaged pages)"
        )
    return f"{name}: cannot be read or written ({exc}); check the file, its folder and the disk"


def damaged_index_message(db: Path, exc: BaseException) -> str:
    """One line for a search index (postings, vectors) that cannot be read: the next ingest
    rebuilds what is damaged."""
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return (
        f"{db}: its search index is damaged ({detail}); run 'cancerinfo ingest' on the KB "
        "again to rebuild it, or restore the store from a backup"
    )


def os_error_message(exc: OSError) -> str:
    """One line for an error of the file system (a full disk, a file size limit, a file
    that cannot be read or written): which file or store folder, what happened, what to do."""
    if exc.filename is not None:
        name = str(exc.filename)
    elif _last_opened is not None:
        name = f"while using the store {_last_opened}"
    else:
        name = "writing a file"
    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{name}: the disk is full ({reason}); free some space and try again (nothing was lost)"
    if exc.errno == errno.EFBIG:
        limit = file_size_limit()
        allowed = f" past {limit:,} bytes" if limit is not None else ""
        return (
            f"{name}: a file may not grow{allowed} ({reason}; the file size limit, 'ulimit -f'); "
            "raise the limit and try again (nothing was lost)"
        )
    return f"{name}: {reason}; check the file, its folder and the disk"


def file_size_limit() -> int | None:
    """The largest file this process may write (RLIMIT_FSIZE), or None when unlimited."""
    try:
        import resource
    except ImportError:  # not on this platform
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def utc_now() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A cancerinfo SQLite file. Use :meth:`open` (existing) or :meth:`create_or_open`."""

    def __init__(self, connection: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
        self.connection = connection
        self.path = path
        self.readonly = readonly

    # -- opening ---------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = True) -> Store:
        """Open an existing store; :class:`StoreNotFound` when the file is missing."""
        file = Path(path)
        if not file.exists():
            raise StoreNotFound(
                f"{file}: no such store; create it with 'cancerinfo ingest PATH --db {file}'"
            )
        uri = f"file:{file.resolve()}?mode={'ro' if readonly else 'rw'}"
        connection = _connect(uri, file)
        store = cls(connection, file, readonly=readonly)
        store._check_origin()  # reads only: a file that is not ours is left as it was
        global _last_opened
        _last_opened = file
        if not readonly:
            store._use_wal()
        return store

    @classmethod
    def create_or_open(cls, path: Path | str) -> Store:
        """Open a store for writing, creating the file and its tables when missing."""
        file = Path(path)
        if file.exists() and file.stat().st_size > 0:
            return cls.open(file, readonly=False)
        if not file.parent.exists():
            raise StoreError(f"{file}: folder {file.parent} does not exist")
        connection = _connect(f"file:{file.resolve()}?mode=rwc", file)
        store = cls(connection, file, readonly=False)
        global _last_opened
        _last_opened = file
        try:
            with store.transaction():
                # Another process may have created the store since the size was read: the
                # write lock is held now, so the tables are created once, by one of them.
                if connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
                    for statement in _statements(TABLES):
                        connection.execute(statement)
                    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    connection.executemany(
                        "INSERT INTO meta(key, value) VALUES (?, ?)",
                        [
                            ("schema_version", str(SCHEMA_VERSION)),
                            ("created_by", f"cancerinfo {__version__}"),
                            ("created_at", utc_now()),
                        ],
                    )
        except sqlite3.DatabaseError as exc:
            store.close()
            raise StoreError(f"{file}: cannot create the store ({exc})") from None
        store._check_origin()
        store._use_wal()
        return store

    def _check_origin(self) -> None:
        try:
            application_id = self.connection.execute("PRAGMA application_id").fetchone()[0]
            rows = dict(self.connection.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            self.close()
            kind = getattr(exc, "sqlite_errorname", "")
            if kind == "SQLITE_CORRUPT" or kind.startswith(("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN")):
                raise StoreError(database_error_message(exc, self.path)) from None
            raise StoreMismatch(f"{self.path} is not a cancerinfo store ({exc})") from None
        if application_id != APPLICATION_ID or "schema_version" not in rows:
            self.close()
            raise StoreMismatch(f"{self.path} is a SQLite file but not a cancerinfo store")
        found = rows["schema_version"]
        if found != str(SCHEMA_VERSION) and self._migrate(found):
            return
        if found != str(SCHEMA_VERSION):
            self.close()
            raise StoreMismatch(
                f"{self.path} was written with store schema {found} ({rows.get('created_by', '?')}); "
                f"this cancerinfo uses schema {SCHEMA_VERSION}. Rebuild it: delete the file and run "
                "'cancerinfo ingest' again (the KB files are the source of truth)."
            )

    def _migrate(self, found: str) -> bool:
        """Apply the additive steps from schema ``found`` (new tables only). A read-only
        store of an older version is read as it is (its missing tables are not used)."""
        if not found.isdigit() or int(found) not in MIGRATIONS:
            return False
        if self.readonly:
            return True
        with self.transaction() as connection:
            for version in range(int(found), SCHEMA_VERSION):
                if version not in MIGRATIONS:
                    raise StoreMismatch(f"{self.path}: no migration from schema {version}")
                for statement in _statements(MIGRATIONS[version]):
                    connection.execute(statement)
            connection.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
            )
        return True

    def _use_wal(self) -> None:
        """Write-ahead logging, set only once the file is known to be a cancerinfo store
        (setting it rewrites the file header of any SQLite file).

        Processes that open a new store at once all switch it: SQLite answers "database is
        locked" at once, without waiting, to the one whose switch would deadlock with
        another's, so that one tries again (until the busy timeout) and finds WAL set."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.connection.execute("PRAGMA journal_mode = WAL")
                self.connection.execute("PRAGMA synchronous = NORMAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) and time.monotonic() < deadline:
                    time.sleep(0.02)
                    continue
                self.close()
                raise StoreError(f"{self.path}: cannot open the store for writing ({exc})") from None
            except sqlite3.DatabaseError as exc:
                self.close()
                raise StoreError(f"{self.path}: cannot open the store for writing ({exc})") from None

    # -- using -----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything in it lands, or nothing does."""
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only")
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusy(
                    f"{self.path} is being written by another process; try again"
                ) from None
            raise StoreError(f"{self.path}: {exc}") from None
        try:
            yield self.connection
        except BaseException:
            self.connection.rollback()
            raise
        else:
            self.connection.commit()

    def meta(self) -> dict[str, str]:
        """The ``meta`` table (schema version and the like) as a dict."""
        return dict(self.connection.execute("SELECT key, value FROM meta").fetchall())

    def query(
        self, sql: str, parameters: tuple[Any, ...] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        """Every row ``sql`` returns, run with ``parameters``."""
        return self.connection.execute(sql, parameters).fetchall()

    def close(self) -> None:
        """Close the connection to the SQLite file."""
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _connect(uri: str, file: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(
            uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise StoreMismatch(f"{file} cannot be opened as a SQLite store ({exc})") from None
    return connection


def _statements(script: str) -> list[str]:
    """Split DDL into statements (executescript would commit the open transaction)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]
