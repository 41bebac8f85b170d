-- +goose Up
-- Text models trained from reviewers' decisions. At most one is active;
-- none active means the built-in model.
CREATE TABLE text_models (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    version    TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    created_by TEXT    NOT NULL,
    model      BLOB    NOT NULL,
    report     TEXT    NOT NULL DEFAULT '{}',
    active     BOOLEAN NOT NULL DEFAULT FALSE,
    decisions  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX text_models_one_active ON text_models (active) WHERE active;

-- +goose Down
DROP TABLE text_models;
