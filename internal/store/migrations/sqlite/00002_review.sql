-- +goose Up
-- Review and action: users and their sessions, partner API keys, removal
-- orders and referrals with their webhook deliveries, bank entries added
-- from a case (so an appeal can reverse them), preserved evidence, settings.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    lang          TEXT    NOT NULL DEFAULT 'en',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT   NOT NULL,
    remote     TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT   NOT NULL,
    prefix       TEXT   NOT NULL,
    key_hash     TEXT   NOT NULL UNIQUE,
    scopes       TEXT   NOT NULL DEFAULT '[]',
    created_by   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    revoked_at   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind        TEXT   NOT NULL,
    platform    TEXT   NOT NULL,
    content_url TEXT   NOT NULL,
    legal_basis TEXT   NOT NULL DEFAULT '',
    issued_by   TEXT   NOT NULL,
    issued_at   BIGINT NOT NULL,
    deadline    BIGINT NOT NULL,
    status      TEXT   NOT NULL,
    status_at   BIGINT NOT NULL,
    note        TEXT   NOT NULL DEFAULT '',
    evidence_id BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX orders_status ON orders (status, deadline);
CREATE INDEX orders_case ON orders (case_id);

CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    order_id    BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    at          BIGINT  NOT NULL,
    url         TEXT    NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    ok          BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX deliveries_order ON deliveries (order_id);

-- entry_id has no foreign key: the row records the addition after a
-- reversal has deleted the entry.
CREATE TABLE case_entries (
    case_id    BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    entry_id   BIGINT NOT NULL,
    bank       TEXT   NOT NULL,
    type       TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    added_by   TEXT   NOT NULL,
    added_at   BIGINT NOT NULL,
    removed_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (case_id, entry_id)
);

-- Evidence outlives the post it preserves: no foreign keys to posts or cases.
CREATE TABLE evidence (
    id              INTEGER PRIMARY KEY,
    case_id         BIGINT  NOT NULL DEFAULT 0,
    post_id         BIGINT  NOT NULL,
    captured_by     TEXT    NOT NULL,
    captured_at     BIGINT  NOT NULL,
    platform        TEXT    NOT NULL DEFAULT '',
    source_id       TEXT    NOT NULL DEFAULT '',
    url             TEXT    NOT NULL DEFAULT '',
    manifest_sha256 TEXT    NOT NULL,
    hold            BOOLEAN NOT NULL DEFAULT FALSE,
    purged_at       BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX evidence_case ON evidence (case_id);

CREATE TABLE evidence_files (
    evidence_id BIGINT NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    name        TEXT   NOT NULL,
    sha256      TEXT   NOT NULL,
    size        BIGINT NOT NULL,
    data        BLOB  NOT NULL,
    PRIMARY KEY (evidence_id, name)
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE evidence_files;
DROP TABLE evidence;
DROP TABLE case_entries;
DROP TABLE deliveries;
DROP TABLE orders;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE users;
