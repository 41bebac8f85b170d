-- +goose Up
-- Sources marsad collects from by itself (internal/source). The cursor is
-- the collector's own position, saved after the posts it follows.
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    name            TEXT    NOT NULL UNIQUE,
    config          TEXT    NOT NULL DEFAULT '{}',
    interval_secs   BIGINT  NOT NULL,
    paused          BOOLEAN NOT NULL DEFAULT FALSE,
    cursor          TEXT    NOT NULL DEFAULT '',
    last_success_at BIGINT  NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    last_error_at   BIGINT  NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    day             TEXT    NOT NULL DEFAULT '',
    posts_today     BIGINT  NOT NULL DEFAULT 0,
    posts_total     BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL
);

-- Where a collected post came from: the source (0 for posts sent by other
-- means), when it was fetched and the page or feed it was read from.
ALTER TABLE posts ADD COLUMN prov_source BIGINT NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN prov_fetched_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN prov_url TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN views BIGINT NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN forwarded_from TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE posts DROP COLUMN forwarded_from;
ALTER TABLE posts DROP COLUMN views;
ALTER TABLE posts DROP COLUMN prov_url;
ALTER TABLE posts DROP COLUMN prov_fetched_at;
ALTER TABLE posts DROP COLUMN prov_source;
DROP TABLE sources;
