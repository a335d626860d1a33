-- The change feed (every ingest run, shared by the replicas) and the web address of a fetched document.
ALTER TABLE documents ADD COLUMN source_url TEXT;

CREATE TABLE changes (
    id BIGSERIAL PRIMARY KEY,
    at DOUBLE PRECISION NOT NULL,
    trigger TEXT NOT NULL,
    body JSONB NOT NULL
);
CREATE INDEX changes_at ON changes (at);
