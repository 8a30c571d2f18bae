-- Notifications: the portal account a chat is linked to, the outbox, reminders, follows and
-- the notifier's cursor. Times are Unix seconds; flags are 0/1.
ALTER TABLE users ADD COLUMN portal_account_id BIGINT;
ALTER TABLE users ADD COLUMN remind BIGINT NOT NULL DEFAULT 1;
CREATE INDEX IF NOT EXISTS users_portal_account_id ON users (portal_account_id);

-- One row per (event or reminder, chat): `dedup` is "e:<event id>" or "r:<reminder id>".
CREATE TABLE IF NOT EXISTS outbox (
    id           BIGSERIAL PRIMARY KEY,
    dedup        TEXT   NOT NULL,
    chat_id      BIGINT NOT NULL,
    dossier_code TEXT,
    -- "status" or "reminder": which /notifications switch governs it.
    kind         TEXT   NOT NULL,
    -- The message as JSON: a Fluent id, its arguments, buttons as data, a document to attach.
    message      TEXT   NOT NULL,
    -- Unix seconds of the event or reminder it tells of (for the event lag).
    event_at     BIGINT NOT NULL,
    not_before   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    -- pending, sent, failed, dropped
    state        TEXT   NOT NULL DEFAULT 'pending',
    lease_until  BIGINT,
    -- The replica whose sender holds the lease (its own leases are freed when it restarts).
    claimed_by   TEXT,
    telegram_message_id BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    sent_at      BIGINT,
    UNIQUE (dedup, chat_id)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, not_before, id);
CREATE INDEX IF NOT EXISTS outbox_chat ON outbox (chat_id, state);

-- kind: supplement, fee or overdue. Cancelled (deleted) the moment the dossier leaves the
-- status; `fired` once moved to the outbox.
CREATE TABLE IF NOT EXISTS reminders (
    id           BIGSERIAL PRIMARY KEY,
    dossier_code TEXT   NOT NULL,
    kind         TEXT   NOT NULL,
    deadline     BIGINT NOT NULL,
    fire_at      BIGINT NOT NULL,
    chat_id      BIGINT NOT NULL,
    -- The event that scheduled it, and the message's arguments as JSON.
    event_id     BIGINT NOT NULL,
    args         TEXT   NOT NULL,
    fired        BIGINT NOT NULL DEFAULT 0,
    UNIQUE (event_id, chat_id, kind, fire_at)
);
CREATE INDEX IF NOT EXISTS reminders_due ON reminders (fired, fire_at);
CREATE INDEX IF NOT EXISTS reminders_code ON reminders (dossier_code);

-- Chats that follow a dossier without owning it (no personal data, no action buttons).
CREATE TABLE IF NOT EXISTS follows (
    chat_id      BIGINT NOT NULL,
    dossier_code TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (chat_id, dossier_code)
);
CREATE INDEX IF NOT EXISTS follows_code ON follows (dossier_code);

-- The notifier's position in the portal's event feed and which replica holds it until when.
CREATE TABLE IF NOT EXISTS cursors (
    name        TEXT   PRIMARY KEY,
    position    BIGINT NOT NULL DEFAULT 0,
    holder      TEXT,
    held_until  BIGINT NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL
);
