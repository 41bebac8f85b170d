-- +goose Up
-- Full-text search over posts. search_text is the post's text, author and
-- links folded as the classifier folds text (store.FoldSearch); NULL means
-- not folded yet, and Open folds such rows (posts stored before this
-- migration, or all posts after "UPDATE posts SET search_text = NULL").
ALTER TABLE posts ADD COLUMN search_text TEXT;
-- author_key is the author folded the same way, for author search that
-- ignores case and a leading @.
ALTER TABLE posts ADD COLUMN author_key TEXT NOT NULL DEFAULT '';
CREATE INDEX posts_author_key ON posts (author_key);
CREATE INDEX posts_unfolded ON posts (id) WHERE search_text IS NULL;

-- An external-content FTS5 index over posts.search_text, kept in step by
-- triggers. The text is folded already: the tokenizer only splits it.
CREATE VIRTUAL TABLE posts_fts USING fts5(search_text, content='posts', content_rowid='id', tokenize='unicode61 remove_diacritics 0');

-- +goose StatementBegin
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, search_text) VALUES (new.id, COALESCE(new.search_text, ''));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, search_text) VALUES ('delete', old.id, COALESCE(old.search_text, ''));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posts_fts_update AFTER UPDATE OF search_text ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, search_text) VALUES ('delete', old.id, COALESCE(old.search_text, ''));
    INSERT INTO posts_fts (rowid, search_text) VALUES (new.id, COALESCE(new.search_text, ''));
END;
-- +goose StatementEnd
INSERT INTO posts_fts (rowid, search_text) SELECT id, '' FROM posts;

-- Saved searches and queue filters, per user: kind is "search" or "queue",
-- query the URL query string that runs it.
CREATE TABLE saved_searches (
    id         INTEGER PRIMARY KEY,
    username   TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    query      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (username, kind, name)
);

-- +goose Down
DROP TABLE saved_searches;
DROP TRIGGER posts_fts_update;
DROP TRIGGER posts_fts_delete;
DROP TRIGGER posts_fts_insert;
DROP TABLE posts_fts;
DROP INDEX posts_unfolded;
DROP INDEX posts_author_key;
ALTER TABLE posts DROP COLUMN author_key;
ALTER TABLE posts DROP COLUMN search_text;
