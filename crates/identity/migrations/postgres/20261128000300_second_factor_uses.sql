-- Second-factor secrets already used (PostgreSQL): a TOTP time step or a lookup secret
-- succeeds once per identity. The primary key makes the check-and-record one atomic insert.

CREATE TABLE identity_second_factor_uses (
    identity_id     UUID        NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    credential_type TEXT        NOT NULL,
    secret_key      TEXT        NOT NULL,
    used_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (identity_id, credential_type, secret_key)
);
