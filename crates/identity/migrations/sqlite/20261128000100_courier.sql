-- Courier message queue (SQLite). See 20250101000001_init.sql for the type conventions.
-- `lease_owner`/`lease_until` let one watcher claim a message; a claim whose lease ran out
-- (the watcher died mid-send) is due again.

CREATE TABLE courier_messages (
    id              BLOB    NOT NULL PRIMARY KEY,
    type            TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    template_type   TEXT    NOT NULL,
    send_count      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     BLOB,
    lease_until     INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
-- The dispatcher's scan: due messages in order.
CREATE INDEX courier_messages_due_idx ON courier_messages (status, next_attempt_at);
-- The admin list: newest first, optionally by recipient.
CREATE INDEX courier_messages_created_idx ON courier_messages (created_at, id);
CREATE INDEX courier_messages_recipient_idx ON courier_messages (recipient, created_at, id);

CREATE TABLE courier_message_dispatches (
    id         BLOB    NOT NULL PRIMARY KEY,
    message_id BLOB    NOT NULL REFERENCES courier_messages (id) ON DELETE CASCADE,
    status     TEXT    NOT NULL,
    error      TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX courier_message_dispatches_message_idx ON courier_message_dispatches (message_id, created_at);
