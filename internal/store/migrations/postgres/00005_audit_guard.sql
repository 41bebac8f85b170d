-- +goose Up
-- The audit log stays append-only: TRUNCATE bypasses row triggers, so it
-- is refused by a statement trigger. Signed checkpoints of the chain's head
-- let `marsad audit verify` detect a cut tail. The store recreates these
-- triggers at open if they are missing (internal/store/auditguard.go holds
-- the same statements).
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TABLE audit_checkpoints (
    id         BIGSERIAL PRIMARY KEY,
    seq        BIGINT NOT NULL,
    hash       TEXT   NOT NULL,
    at         BIGINT NOT NULL,
    public_key TEXT   NOT NULL,
    signature  TEXT   NOT NULL
);
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TRIGGER audit_no_truncate ON audit;
