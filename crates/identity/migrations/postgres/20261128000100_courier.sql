-- Courier message queue (PostgreSQL). `lease_owner`/`lease_until` let one watcher claim a
-- message (claims use FOR UPDATE SKIP LOCKED); a claim whose lease ran out (the watcher died
-- mid-send) is due again.

CREATE TABLE courier_messages (
    id              UUID        NOT NULL PRIMARY KEY,
    type            TEXT        NOT NULL,
    channel         TEXT        NOT NULL,
    status          TEXT        NOT NULL,
    recipient       TEXT COLLATE "C" NOT NULL,
    subject         TEXT        NOT NULL,
    body            TEXT        NOT NULL,
    html_body       TEXT        NOT NULL,
    template_type   TEXT        NOT NULL,
    send_count      INTEGER     NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_owner     UUID,
    lease_until     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX courier_messages_due_idx ON courier_messages (status, next_attempt_at);
CREATE INDEX courier_messages_created_idx ON courier_messages (created_at, id);
CREATE INDEX courier_messages_recipient_idx ON courier_messages (recipient, created_at, id);

CREATE TABLE courier_message_dispatches (
    id         UUID        NOT NULL PRIMARY KEY,
    message_id UUID        NOT NULL REFERENCES courier_messages (id) ON DELETE CASCADE,
    status     TEXT        NOT NULL,
    error      JSONB,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX courier_message_dispatches_message_idx ON courier_message_dispatches (message_id, created_at);
