-- +goose Up
-- The audit log stays append-only against every way SQLite offers to
-- rewrite it. INSERT OR REPLACE deletes the old row without running DELETE
-- triggers, so an insert may only add a sequence number past the last one.
-- Signed checkpoints of the chain's head let `marsad audit verify` detect a
-- cut tail. The store recreates these triggers at open if they are missing
-- (internal/store/auditguard.go holds the same statements).

-- +goose StatementBegin
CREATE TRIGGER audit_append_only_insert BEFORE INSERT ON audit
WHEN NEW.seq <= (SELECT COALESCE(MAX(seq), 0) FROM audit)
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
-- +goose StatementEnd

CREATE TABLE audit_checkpoints (
    id         INTEGER PRIMARY KEY,
    seq        BIGINT NOT NULL,
    hash       TEXT   NOT NULL,
    at         BIGINT NOT NULL,
    public_key TEXT   NOT NULL,
    signature  TEXT   NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_append_only_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_append_only_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_append_only_insert BEFORE INSERT ON audit_checkpoints
WHEN NEW.id > 0 AND NEW.id <= (SELECT COALESCE(MAX(id), 0) FROM audit_checkpoints)
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TRIGGER audit_append_only_insert;
