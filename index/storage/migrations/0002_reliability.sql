-- What main's catalog gained: non-prose spans per chunk, a statement's meeting and agenda item, files
-- withheld from re-scans after a delete, the content hash each generation was built from (for health),
-- and the background job records every replica shares.
ALTER TABLE documents ADD COLUMN meeting TEXT, ADD COLUMN agenda_item TEXT;
ALTER TABLE chunks ADD COLUMN non_prose JSONB NOT NULL DEFAULT '[]';
ALTER TABLE published ADD COLUMN non_prose JSONB NOT NULL DEFAULT '[]', ADD COLUMN meeting TEXT,
    ADD COLUMN agenda_item TEXT;
ALTER TABLE generations ADD COLUMN content_hash TEXT;
CREATE INDEX published_closed ON published (gen_to) WHERE gen_to IS NOT NULL;

CREATE TABLE withheld (
    path TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    deleted_at DOUBLE PRECISION NOT NULL
);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    body JSONB NOT NULL,
    status TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX jobs_status ON jobs (status, created_at);
