-- Second-factor secrets already used (SQLite): a TOTP time step or a lookup secret succeeds
-- once per identity. The primary key makes the check-and-record one atomic insert.

CREATE TABLE identity_second_factor_uses (
    identity_id     BLOB    NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    credential_type TEXT    NOT NULL,
    secret_key      TEXT    NOT NULL,
    used_at         INTEGER NOT NULL,
    PRIMARY KEY (identity_id, credential_type, secret_key)
);
