-- Initial schema (SQLite). UUIDs are 16-byte BLOBs (ordered like PostgreSQL's uuid),
-- timestamps are INTEGER microseconds since the Unix epoch (exact and comparable),
-- JSON is TEXT.

CREATE TABLE identities (
    id               BLOB    NOT NULL PRIMARY KEY,
    schema_id        TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    state_changed_at INTEGER,
    traits           TEXT    NOT NULL,
    metadata_public  TEXT,
    metadata_admin   TEXT,
    external_id      TEXT,
    available_aal    TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX identities_external_id_uq ON identities (external_id) WHERE external_id IS NOT NULL;

-- `identifiers` keeps the credential's own list (and order); the lookup table below is the index.
CREATE TABLE identity_credentials (
    id              BLOB    NOT NULL PRIMARY KEY,
    identity_id     BLOB    NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    credential_type TEXT    NOT NULL,
    identifiers     TEXT    NOT NULL,
    config          TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX identity_credentials_identity_type_uq ON identity_credentials (identity_id, credential_type);

-- Clustered on (identifier, type): login lookups are one B-tree descent, and the
-- identifier-only and prefix filters of the admin list use the same key.
CREATE TABLE identity_credential_identifiers (
    identifier             TEXT NOT NULL,
    credential_type        TEXT NOT NULL,
    identity_id            BLOB NOT NULL,
    identity_credential_id BLOB NOT NULL REFERENCES identity_credentials (id) ON DELETE CASCADE,
    PRIMARY KEY (identifier, credential_type)
) WITHOUT ROWID;
CREATE INDEX identity_credential_identifiers_credential_idx ON identity_credential_identifiers (identity_credential_id);

CREATE TABLE identity_verifiable_addresses (
    id          BLOB    NOT NULL PRIMARY KEY,
    identity_id BLOB    NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    via         TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    verified    INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    verified_at INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX identity_verifiable_addresses_via_value_uq ON identity_verifiable_addresses (via, value);
CREATE INDEX identity_verifiable_addresses_identity_idx ON identity_verifiable_addresses (identity_id);

CREATE TABLE identity_recovery_addresses (
    id          BLOB    NOT NULL PRIMARY KEY,
    identity_id BLOB    NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    via         TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX identity_recovery_addresses_via_value_uq ON identity_recovery_addresses (via, value);
CREATE INDEX identity_recovery_addresses_identity_idx ON identity_recovery_addresses (identity_id);

-- Devices and methods are small lists always read with the session: JSON columns.
CREATE TABLE sessions (
    id                     BLOB    NOT NULL PRIMARY KEY,
    identity_id            BLOB    NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    token                  TEXT    NOT NULL,
    logout_token           TEXT    NOT NULL,
    active                 INTEGER NOT NULL,
    expires_at             INTEGER NOT NULL,
    authenticated_at       INTEGER NOT NULL,
    aal                    TEXT    NOT NULL,
    authentication_methods TEXT    NOT NULL,
    devices                TEXT    NOT NULL,
    issued_at              INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE UNIQUE INDEX sessions_token_uq ON sessions (token);
CREATE UNIQUE INDEX sessions_logout_token_uq ON sessions (logout_token);
CREATE INDEX sessions_identity_idx ON sessions (identity_id, id);

CREATE TABLE selfservice_flows (
    id         BLOB    NOT NULL PRIMARY KEY,
    kind       TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    data       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX selfservice_flows_expires_idx ON selfservice_flows (expires_at);

CREATE TABLE selfservice_errors (
    id         BLOB    NOT NULL PRIMARY KEY,
    error      TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX selfservice_errors_created_idx ON selfservice_errors (created_at);
