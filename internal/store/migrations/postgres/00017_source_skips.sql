-- +goose Up
-- Items a source passed over without making a post of them, counted by
-- reason (internal/source: empty, duplicate, refused), for its health.
CREATE TABLE source_skips (
    source_id BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    reason    TEXT   NOT NULL,
    items     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, reason)
);

-- +goose Down
DROP TABLE source_skips;
