-- The catalog (the source of truth) and the published rows readers search.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    date TEXT,
    organisations JSONB NOT NULL,
    language TEXT NOT NULL,
    pages INTEGER,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    url TEXT,
    text TEXT NOT NULL,
    page_starts JSONB NOT NULL,
    page_labels JSONB,
    doc_type_reasons JSONB NOT NULL,
    added_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX documents_sha ON documents (sha256);

CREATE TABLE chunks (
    id BIGSERIAL PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    text_sha TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    page_start INTEGER,
    page_end INTEGER,
    headings JSONB NOT NULL
);
CREATE INDEX chunks_doc ON chunks (doc_id, ordinal);
CREATE INDEX chunks_text_sha ON chunks (text_sha);

CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    meta_hash TEXT NOT NULL,
    versions TEXT NOT NULL,
    doc_id TEXT,
    duplicate_of TEXT
);
CREATE INDEX files_doc ON files (doc_id);
CREATE INDEX files_duplicate_of ON files (duplicate_of);

-- Vectors by (model, chunk text hash): an unchanged chunk text is never embedded again.
CREATE TABLE embeddings (
    model TEXT NOT NULL,
    text_sha TEXT NOT NULL,
    vector VECTOR NOT NULL,
    PRIMARY KEY (model, text_sha)
);

-- Uploaded originals, so every replica can serve the file a citation links to.
CREATE TABLE originals (
    path TEXT PRIMARY KEY,
    data BYTEA NOT NULL,
    stored_at DOUBLE PRECISION NOT NULL
);

-- Snapshots: a generation is a number; a published row is visible in generations [gen_from, gen_to).
CREATE TABLE generations (
    id BIGSERIAL PRIMARY KEY,
    model TEXT NOT NULL,
    dim INTEGER NOT NULL,
    chunks INTEGER NOT NULL,
    published_at DOUBLE PRECISION NOT NULL
);

CREATE TABLE published (
    rowid BIGSERIAL PRIMARY KEY,
    chunk_row BIGINT NOT NULL,
    model TEXT NOT NULL,
    gen_from BIGINT NOT NULL,
    gen_to BIGINT,
    embedding HALFVEC NOT NULL,
    chunk_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    page_start INTEGER,
    page_end INTEGER,
    headings JSONB NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    date TEXT,
    organisations JSONB NOT NULL,
    language TEXT NOT NULL,
    url TEXT
);
CREATE INDEX published_live ON published (chunk_row) WHERE gen_to IS NULL;
CREATE INDEX published_span ON published (gen_from, gen_to);
