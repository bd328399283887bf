-- Personal calendar feeds: only the SHA-256 of the secret in the URL is kept, as for API tokens, so a
-- copy of the database does not hand out everyone's calendar. The tokens of `calendar_tokens` (kept in
-- the clear until now) are hashed into this table and deleted by `Db::migrate` right after this
-- migration (the same code for both backends), so existing subscriptions keep working.
CREATE TABLE calendar_feeds (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
