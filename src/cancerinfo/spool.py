"""A temporary file of pickled objects, read back by offset: memory that does not grow.

An ingest reads, parses and chunks every page before its write transaction opens (the
vectors of new text are embedded and committed in between). Holding all of that in memory
costs about 0.5 GiB per 1,000 pages; instead each page is pickled here as soon as it is
chunked and read back, one at a time, when it is written (:mod:`cancerinfo.pipeline.ingest`).
The texts waiting for the embedding model wait here too (:mod:`cancerinfo.index.build`).
The file has no name on disk: it is gone when the spool closes or the process dies.
"""

from __future__ import annotations

import pickle
import tempfile
from pathlib import Path
from typing import Any


class Spool:
    """Objects written once and read back by the offset :meth:`add` returned."""

    def __init__(self, folder: Path | None = None) -> None:
        """A spool in ``folder`` (default: the system's temporary folder)."""
        # closed by close() / the with block
        self._file = tempfile.TemporaryFile(dir=folder, prefix=".cancerinfo-ingest-")  # noqa: SIM115
        self._end = 0

    def add(self, item: Any) -> int:
        """Append ``item``; the offset to :meth:`get` it with."""
        offset = self._end
        self._file.seek(offset)
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._end = self._file.tell()
        return offset

    def get(self, offset: int) -> Any:
        """The object :meth:`add` stored at ``offset``."""
        self._file.seek(offset)
        return pickle.load(self._file)

    def close(self) -> None:
        """Close and so delete the file."""
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
