-- +goose Up
-- 1 when the source gave no publication time. posted_at then holds the
-- ingestion time, so lists ordered by time keep the post where it arrived,
-- but no time window (search dates, co-sharing) ever counts it.
ALTER TABLE posts ADD COLUMN posted_at_unknown INTEGER NOT NULL DEFAULT 0;
-- The name a channel post is signed with (Telegram channels that show
-- their admins' signatures); author stays the channel.
ALTER TABLE posts ADD COLUMN signature TEXT NOT NULL DEFAULT '';
-- What the platform said of the post when it was read: withheld in some
-- countries, or a tweet it refers to deleted.
ALTER TABLE posts ADD COLUMN platform_notice TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE posts DROP COLUMN platform_notice;
ALTER TABLE posts DROP COLUMN signature;
ALTER TABLE posts DROP COLUMN posted_at_unknown;
