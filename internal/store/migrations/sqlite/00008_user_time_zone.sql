-- +goose Up
-- Each user sees times in their own time zone (an IANA name such as
-- "Asia/Amman"); empty means UTC.
ALTER TABLE users ADD COLUMN tz TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN tz;
