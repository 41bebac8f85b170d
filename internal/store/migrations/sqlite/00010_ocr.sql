-- +goose Up
-- The text read on a post's images (OCR), one image's text after another.
-- It is scored like the post's text and folded into search_text.
ALTER TABLE posts ADD COLUMN ocr_text TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE posts DROP COLUMN ocr_text;
