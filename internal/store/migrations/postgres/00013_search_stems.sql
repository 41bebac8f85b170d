-- +goose Up
-- Arabic words are now also indexed without their proclitics (و ف بال كال
-- ال لل): fold every post again when the store opens.
UPDATE posts SET search_text = NULL;

-- +goose Down
UPDATE posts SET search_text = NULL;
