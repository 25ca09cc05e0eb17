"""The SQLite schema of the store. One file holds documents, versions and ingest runs.

Bump :data:`SCHEMA_VERSION` whenever a table changes: a store written by another schema
version is refused on open with a message saying how to rebuild it.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
APPLICATION_ID = 0x43494E46  # "CINF": marks the SQLite file as a cancerinfo store

TABLES = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE ingest_runs (
    id                 INTEGER PRIMARY KEY,
    started_at         TEXT NOT NULL,
    finished_at        TEXT,
    roots              TEXT NOT NULL,          -- JSON list of the paths given
    files              INTEGER NOT NULL,
    added              INTEGER NOT NULL,
    changed            INTEGER NOT NULL,
    unchanged          INTEGER NOT NULL,
    removed            INTEGER NOT NULL,
    restored           INTEGER NOT NULL,
    rejected           INTEGER NOT NULL,
    problems           TEXT NOT NULL,          -- JSON list of Problem records
    cancerinfo_version TEXT NOT NULL
);

CREATE TABLE documents (
    id                INTEGER PRIMARY KEY,
    url               TEXT NOT NULL UNIQUE,
    path              TEXT NOT NULL,          -- absolute path of the file last ingested
    root              TEXT NOT NULL,          -- the folder (or file) that was ingested
    raw_hash          TEXT NOT NULL,          -- sha256 of the file's bytes (fast skip)
    content_hash      TEXT NOT NULL,          -- sha256 of the normalised text
    title             TEXT NOT NULL,
    source            TEXT NOT NULL,
    source_type       TEXT NOT NULL,
    tier              INTEGER NOT NULL,
    language          TEXT NOT NULL,
    audience_level    TEXT NOT NULL,
    status            TEXT NOT NULL,
    last_reviewed     TEXT NOT NULL,
    review_frequency  TEXT NOT NULL,
    version_label     TEXT,
    citation          TEXT,
    license           TEXT,
    cancer_types      TEXT NOT NULL,          -- JSON list
    tags              TEXT NOT NULL,          -- JSON list
    front_matter      TEXT NOT NULL,          -- JSON object, KB key names
    body              TEXT NOT NULL,
    body_line         INTEGER NOT NULL,
    current_version   INTEGER NOT NULL,
    first_ingested_at TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    removed_at        TEXT,                   -- set when the file left its root
    removed_run       INTEGER REFERENCES ingest_runs(id)
);
CREATE INDEX documents_path ON documents(path);
CREATE INDEX documents_root ON documents(root);

CREATE TABLE versions (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    version_no    INTEGER NOT NULL,
    version_label TEXT,
    content_hash  TEXT NOT NULL,
    path          TEXT NOT NULL,
    text          TEXT NOT NULL,              -- the whole normalised file
    ingested_at   TEXT NOT NULL,
    run_id        INTEGER NOT NULL REFERENCES ingest_runs(id),
    UNIQUE (document_id, version_no)
);
"""
