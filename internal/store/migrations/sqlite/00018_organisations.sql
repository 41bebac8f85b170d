-- +goose Up
-- Organisations (internal/org, docs/organisations.md): the unit itself,
-- each platform and each partner agency. Exactly one is the unit (the
-- partial unique index); it is created here with id 1, and every user and
-- API key that exists belongs to it.
CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL CHECK (kind IN ('unit', 'platform', 'agency')),
    platform   TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX organisations_one_unit ON organisations (kind) WHERE kind = 'unit';
CREATE UNIQUE INDEX organisations_platform ON organisations (platform) WHERE kind = 'platform';
INSERT INTO organisations (id, name, kind, platform, created_at) VALUES (1, 'unit', 'unit', '', 0);
-- SQLite cannot add a column with both a REFERENCES clause and a default
-- other than NULL; the store writes only ids it has read.
ALTER TABLE users ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE api_keys ADD COLUMN org_id INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE api_keys DROP COLUMN org_id;
ALTER TABLE users DROP COLUMN org_id;
DROP TABLE organisations;
