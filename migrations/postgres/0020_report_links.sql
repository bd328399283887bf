-- Shared insights reports (issue 16): a secret link a manager hands to a funder or an employer, showing
-- one community's figures for one period, until revoked. Only the SHA-256 of the secret is kept (as for
-- API tokens and calendar feeds): the link is shown once, when it is made.
CREATE TABLE report_links (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    period_from TIMESTAMPTZ NOT NULL,
    period_to TIMESTAMPTZ NOT NULL,
    created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_links_community ON report_links (community_id);
