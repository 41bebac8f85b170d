-- +goose Up
-- The source id, on the same platform, of the post a post answers, as the
-- platform's export says (forwarded_from came with 00011).
ALTER TABLE posts ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE posts DROP COLUMN reply_to;
