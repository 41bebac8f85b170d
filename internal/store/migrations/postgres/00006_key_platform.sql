-- +goose Up
-- A partner API key may be bound to one platform: it then reads and sends
-- only that platform's posts and cases. Empty means bound to none (such a
-- key needs the all-platforms scope to read cases and posts).
ALTER TABLE api_keys ADD COLUMN platform TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE api_keys DROP COLUMN platform;
