-- +goose Up
CREATE TABLE posts (
    id          INTEGER PRIMARY KEY,
    platform    TEXT    NOT NULL,
    source_id   TEXT    NOT NULL,
    author      TEXT    NOT NULL DEFAULT '',
    channel     TEXT    NOT NULL DEFAULT '',
    url         TEXT    NOT NULL DEFAULT '',
    lang        TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL DEFAULT '',
    links       TEXT    NOT NULL DEFAULT '[]',
    media       TEXT    NOT NULL DEFAULT '[]',
    posted_at   BIGINT  NOT NULL,
    ingested_at BIGINT  NOT NULL,
    UNIQUE (platform, source_id)
);
CREATE INDEX posts_author ON posts (platform, author);
CREATE INDEX posts_posted ON posts (posted_at);

CREATE TABLE signals (
    post_id  BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    type     TEXT   NOT NULL,
    value    TEXT   NOT NULL,
    quality  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, type, value)
);
CREATE INDEX signals_value ON signals (type, value);

CREATE TABLE banks (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    owner       TEXT    NOT NULL DEFAULT '',
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    auto_action BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE bank_entries (
    id       INTEGER PRIMARY KEY,
    bank_id  BIGINT NOT NULL REFERENCES banks (id) ON DELETE CASCADE,
    type     TEXT   NOT NULL,
    value    TEXT   NOT NULL,
    label    TEXT   NOT NULL DEFAULT '',
    source   TEXT   NOT NULL DEFAULT '',
    added_at BIGINT NOT NULL,
    UNIQUE (bank_id, type, value)
);
CREATE INDEX bank_entries_value ON bank_entries (type, value);

CREATE TABLE matches (
    post_id      BIGINT  NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    entry_id     BIGINT  NOT NULL REFERENCES bank_entries (id) ON DELETE CASCADE,
    signal_type  TEXT    NOT NULL,
    signal_value TEXT    NOT NULL,
    distance     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (post_id, entry_id, signal_value)
);

CREATE TABLE scores (
    post_id   BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    label     TEXT   NOT NULL,
    score     DOUBLE PRECISION NOT NULL,
    threshold DOUBLE PRECISION NOT NULL,
    model     TEXT   NOT NULL,
    evidence  TEXT   NOT NULL DEFAULT '[]',
    PRIMARY KEY (post_id, label)
);

CREATE TABLE cases (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,
    post_id    BIGINT  REFERENCES posts (id) ON DELETE CASCADE,
    network_id BIGINT,
    state      TEXT    NOT NULL,
    priority   INTEGER NOT NULL DEFAULT 0,
    labels     TEXT    NOT NULL DEFAULT '[]',
    reasons    TEXT    NOT NULL DEFAULT '[]',
    lang       TEXT    NOT NULL DEFAULT '',
    platform   TEXT    NOT NULL DEFAULT '',
    claimed_by TEXT    NOT NULL DEFAULT '',
    claimed_at BIGINT  NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE UNIQUE INDEX cases_post ON cases (post_id) WHERE kind = 'post';
CREATE UNIQUE INDEX cases_network ON cases (network_id) WHERE kind = 'network';
CREATE INDEX cases_queue ON cases (state, priority DESC, id);

CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    reviewer   TEXT    NOT NULL,
    labels     TEXT    NOT NULL DEFAULT '[]',
    action     TEXT    NOT NULL,
    rationale  TEXT    NOT NULL DEFAULT '',
    appeal     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT  NOT NULL
);
CREATE INDEX decisions_case ON decisions (case_id);

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT   NOT NULL,
    action    TEXT   NOT NULL,
    subject   TEXT   NOT NULL,
    detail    TEXT   NOT NULL,
    prev_hash TEXT   NOT NULL,
    hash      TEXT   NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit;
DROP TABLE decisions;
DROP TABLE cases;
DROP TABLE scores;
DROP TABLE matches;
DROP TABLE bank_entries;
DROP TABLE banks;
DROP TABLE signals;
DROP TABLE posts;
