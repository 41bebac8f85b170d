-- +goose Up
-- A vPDQ (video) bank entry's value is the SHA-256 of its frame hashes in
-- ThreatExchange's file format, which keeps the unique index small; the
-- frame hashes themselves are kept here. Empty for every other type.
ALTER TABLE bank_entries ADD COLUMN features TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE bank_entries DROP COLUMN features;
