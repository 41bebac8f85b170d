-- +goose Up
CREATE TABLE networks (
    id           INTEGER PRIMARY KEY,
    accounts     TEXT             NOT NULL,
    objects      TEXT             NOT NULL,
    edges        TEXT             NOT NULL,
    size         INTEGER          NOT NULL,
    density      DOUBLE PRECISION NOT NULL,
    median_delay DOUBLE PRECISION NOT NULL,
    flagged      DOUBLE PRECISION NOT NULL,
    score        DOUBLE PRECISION NOT NULL,
    first_seen   BIGINT           NOT NULL,
    last_seen    BIGINT           NOT NULL,
    created_at   BIGINT           NOT NULL,
    updated_at   BIGINT           NOT NULL
);

-- +goose Down
DROP TABLE networks;
