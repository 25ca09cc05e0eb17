"""The SQLite schema of the store. One file holds documents, versions and ingest runs.

Bump :data:`SCHEMA_VERSION` whenever a table changes: a store written by another schema
version is refused on open with a message saying how to rebuild it, unless
:data:`MIGRATIONS` holds the additive steps from it (new tables only: nothing stored is
rewritten, so a migration cannot lose data).
"""

from __future__ import annotations

SCHEMA_VERSION = 4
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
    indexed_hash      TEXT,                   -- content_hash its chunks were built from
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

-- Retrieval indexes (rebuilt for a page whenever its content changes) ------------------
CREATE TABLE chunks (
    rowid        INTEGER PRIMARY KEY,
    chunk_id     TEXT NOT NULL UNIQUE,        -- stable across re-ingests (url + headings + part)
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    ordinal      INTEGER NOT NULL,            -- position in the page
    title        TEXT NOT NULL,
    section      TEXT NOT NULL,               -- heading path below the title, joined by " > "
    heading_path TEXT NOT NULL,               -- JSON list, title first
    text         TEXT NOT NULL,               -- clean text (links reduced to their words)
    span_start   INTEGER NOT NULL,            -- character span of the chunk in the page body
    span_end     INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    embed_key    TEXT NOT NULL                -- key of its vector in `vectors`
);
CREATE INDEX chunks_document ON chunks(document_id);
CREATE INDEX chunks_embed_key ON chunks(embed_key);

CREATE VIRTUAL TABLE chunks_fts USING fts5(
    title, section, text,
    content = 'chunks', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Dense vectors, keyed by the hash of the embedded text and the embedder: a re-ingest
-- never embeds unchanged text again. float32, little-endian.
CREATE TABLE vectors (
    key    TEXT PRIMARY KEY,
    vector BLOB NOT NULL
);

-- BM25 postings of all chunks (cancerinfo.index.postings): numpy arrays, rebuilt when pages change.
CREATE TABLE postings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- The KB vocabulary (cancerinfo.index.vocabulary.ROW_COLUMNS), rebuilt when pages change.
CREATE TABLE vocabulary (
    term           TEXT NOT NULL,
    canonical      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    urls           TEXT NOT NULL,
    needs_capitals INTEGER NOT NULL,
    count          INTEGER NOT NULL
);
"""

SESSIONS_TABLES = """
-- Conversations (cancerinfo.answer.sessions): what was typed and what was answered, nothing
-- else about the person. Old sessions are deleted after the retention period.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE turns (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn       INTEGER NOT NULL,               -- 1, 2, ... within the session
    asked_at   TEXT NOT NULL,
    question   TEXT NOT NULL,                  -- as typed
    resolved   TEXT NOT NULL,                  -- the question as searched (follow-ups resolved)
    status     TEXT NOT NULL,
    reason     TEXT,
    intent     TEXT NOT NULL,
    topic      TEXT NOT NULL,                  -- JSON: what the turn was about (for follow-ups)
    response   TEXT NOT NULL,                  -- JSON: the answer contract
    PRIMARY KEY (session_id, turn)
);
CREATE INDEX turns_asked_at ON turns(asked_at);
CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    turn       INTEGER NOT NULL,
    rating     INTEGER NOT NULL,               -- +1 helpful, -1 not helpful
    comment    TEXT,
    created_at TEXT NOT NULL
);
"""

SHARES_TABLES = """
-- Shared answers (cancerinfo.answer.sessions): a link carries the random id, never the
-- question. Deleted with the sessions, after the retention period.
CREATE TABLE shares (
    id         TEXT PRIMARY KEY,               -- random, unguessable (128 bits)
    created_at TEXT NOT NULL,
    question   TEXT NOT NULL,                  -- as typed
    filters    TEXT NOT NULL,                  -- JSON object: the filters it was asked with
    response   TEXT NOT NULL                   -- JSON: the answer contract as it was given
);
CREATE INDEX shares_created_at ON shares(created_at);
"""

TABLES += SESSIONS_TABLES + SHARES_TABLES

#: Additive steps from an older schema version to the next one.
MIGRATIONS: dict[int, str] = {
    2: SESSIONS_TABLES,
    3: SHARES_TABLES,
}
