-- Company sign-in (issue 18): OpenID Connect. A login in progress is kept from the redirect to the
-- provider until its answer comes back (any process sharing the database can take it), and each
-- person the provider names (issuer, subject) has one account here.
CREATE TABLE oidc_logins (
    state TEXT PRIMARY KEY,
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE oidc_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email TEXT,
    PRIMARY KEY (issuer, subject)
);
