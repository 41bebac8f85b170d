-- +goose Up
-- Organisations (internal/org, docs/organisations.md): the unit itself,
-- each platform and each partner agency. Exactly one is the unit (the
-- partial unique index); it is created here with id 1, and every user and
-- API key that exists belongs to it.
CREATE TABLE organisations (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    kind       TEXT   NOT NULL CHECK (kind IN ('unit', 'platform', 'agency')),
    platform   TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX organisations_one_unit ON organisations (kind) WHERE kind = 'unit';
CREATE UNIQUE INDEX organisations_platform ON organisations (platform) WHERE kind = 'platform';
INSERT INTO organisations (id, name, kind, platform, created_at) VALUES (1, 'unit', 'unit', '', 0);
SELECT setval(pg_get_serial_sequence('organisations', 'id'), 1);
ALTER TABLE users ADD COLUMN org_id BIGINT NOT NULL DEFAULT 1 REFERENCES organisations (id);
ALTER TABLE api_keys ADD COLUMN org_id BIGINT NOT NULL DEFAULT 1 REFERENCES organisations (id);

-- +goose Down
ALTER TABLE api_keys DROP COLUMN org_id;
ALTER TABLE users DROP COLUMN org_id;
DROP TABLE organisations;
