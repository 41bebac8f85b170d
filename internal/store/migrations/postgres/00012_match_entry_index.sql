-- +goose Up
-- Finding the posts that matched one bank entry (the duplicates of a case,
-- for bulk review) must not read the whole table.
CREATE INDEX matches_entry ON matches (entry_id);

-- +goose Down
DROP INDEX matches_entry;
