-- One-time codes and link tokens of recovery and verification flows (PostgreSQL). Only an
-- HMAC of each secret is kept; a code is consumed once (`used_at`) and only on its own flow.

CREATE TABLE selfservice_codes (
    id          UUID        NOT NULL PRIMARY KEY,
    flow_id     UUID        NOT NULL REFERENCES selfservice_flows (id) ON DELETE CASCADE,
    purpose     TEXT        NOT NULL,
    issuer      TEXT        NOT NULL,
    code_hmac   TEXT        NOT NULL,
    identity_id UUID        NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    address     TEXT,
    via         TEXT,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX selfservice_codes_flow_idx ON selfservice_codes (flow_id, purpose);
CREATE INDEX selfservice_codes_identity_idx ON selfservice_codes (identity_id);

-- Code submissions per flow, counted atomically (the brute-force limit).
CREATE TABLE selfservice_code_submissions (
    flow_id UUID    NOT NULL PRIMARY KEY REFERENCES selfservice_flows (id) ON DELETE CASCADE,
    count   INTEGER NOT NULL
);
