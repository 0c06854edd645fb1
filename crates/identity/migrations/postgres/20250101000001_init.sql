-- Initial schema (PostgreSQL). Identifiers and addresses use the "C" collation so unique
-- checks are byte-exact and prefix searches can use the B-tree.

CREATE TABLE identities (
    id               UUID        NOT NULL PRIMARY KEY,
    schema_id        TEXT        NOT NULL,
    state            TEXT        NOT NULL,
    state_changed_at TIMESTAMPTZ,
    traits           JSONB       NOT NULL,
    metadata_public  JSONB,
    metadata_admin   JSONB,
    external_id      TEXT,
    available_aal    TEXT        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX identities_external_id_uq ON identities (external_id) WHERE external_id IS NOT NULL;

CREATE TABLE identity_credentials (
    id              UUID        NOT NULL PRIMARY KEY,
    identity_id     UUID        NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    credential_type TEXT        NOT NULL,
    identifiers     JSONB       NOT NULL,
    config          JSONB       NOT NULL,
    version         INTEGER     NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX identity_credentials_identity_type_uq ON identity_credentials (identity_id, credential_type);

CREATE TABLE identity_credential_identifiers (
    identifier             TEXT COLLATE "C" NOT NULL,
    credential_type        TEXT COLLATE "C" NOT NULL,
    identity_id            UUID NOT NULL,
    identity_credential_id UUID NOT NULL REFERENCES identity_credentials (id) ON DELETE CASCADE,
    CONSTRAINT identity_credential_identifiers_pkey PRIMARY KEY (identifier, credential_type)
);
CREATE INDEX identity_credential_identifiers_credential_idx ON identity_credential_identifiers (identity_credential_id);

CREATE TABLE identity_verifiable_addresses (
    id          UUID        NOT NULL PRIMARY KEY,
    identity_id UUID        NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    ordinal     INTEGER     NOT NULL,
    via         TEXT COLLATE "C" NOT NULL,
    value       TEXT COLLATE "C" NOT NULL,
    verified    BOOLEAN     NOT NULL,
    status      TEXT        NOT NULL,
    verified_at TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX identity_verifiable_addresses_via_value_uq ON identity_verifiable_addresses (via, value);
CREATE INDEX identity_verifiable_addresses_identity_idx ON identity_verifiable_addresses (identity_id);

CREATE TABLE identity_recovery_addresses (
    id          UUID        NOT NULL PRIMARY KEY,
    identity_id UUID        NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    ordinal     INTEGER     NOT NULL,
    via         TEXT COLLATE "C" NOT NULL,
    value       TEXT COLLATE "C" NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX identity_recovery_addresses_via_value_uq ON identity_recovery_addresses (via, value);
CREATE INDEX identity_recovery_addresses_identity_idx ON identity_recovery_addresses (identity_id);

CREATE TABLE sessions (
    id                     UUID        NOT NULL PRIMARY KEY,
    identity_id            UUID        NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    token                  TEXT        NOT NULL,
    logout_token           TEXT        NOT NULL,
    active                 BOOLEAN     NOT NULL,
    expires_at             TIMESTAMPTZ NOT NULL,
    authenticated_at       TIMESTAMPTZ NOT NULL,
    aal                    TEXT        NOT NULL,
    authentication_methods JSONB       NOT NULL,
    devices                JSONB       NOT NULL,
    issued_at              TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX sessions_token_uq ON sessions (token);
CREATE UNIQUE INDEX sessions_logout_token_uq ON sessions (logout_token);
CREATE INDEX sessions_identity_idx ON sessions (identity_id, id);

CREATE TABLE selfservice_flows (
    id         UUID        NOT NULL PRIMARY KEY,
    kind       TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    data       JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX selfservice_flows_expires_idx ON selfservice_flows (expires_at);

CREATE TABLE selfservice_errors (
    id         UUID        NOT NULL PRIMARY KEY,
    error      JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX selfservice_errors_created_idx ON selfservice_errors (created_at);
