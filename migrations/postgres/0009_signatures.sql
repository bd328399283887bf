-- How each receiving host takes our HTTP signatures: 'rfc9421' (RFC 9421, tried first) or 'cavage'
-- (draft-cavage). A host is 'rfc9421' once it sent us a verified RFC 9421 signature; it becomes 'cavage'
-- when it refused our RFC 9421 delivery with a 4xx and took the same delivery signed draft-cavage.
-- Hosts without a row get draft-cavage.
CREATE TABLE signature_styles (
    host TEXT PRIMARY KEY,
    style TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Remote actors' Ed25519 keys, published as Multikey in `assertionMethod` (FEP-521a), which RFC 9421
-- signatures may name as their keyid. Replaced whenever the actor is fetched.
CREATE TABLE remote_actor_keys (
    key_id TEXT PRIMARY KEY,
    actor_ap_id TEXT NOT NULL,
    public_key_multibase TEXT NOT NULL
);
CREATE INDEX remote_actor_keys_actor ON remote_actor_keys (actor_ap_id);
