-- The bot's own tables (PostgreSQL). Times are Unix seconds; flags are 0/1.
CREATE TABLE IF NOT EXISTS users (
    telegram_user_id   BIGINT PRIMARY KEY,
    locale             TEXT,
    portal_account     TEXT,
    portal_session_enc TEXT,
    consent_at         BIGINT,
    notify             BIGINT NOT NULL DEFAULT 1,
    blocked            BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS dialogues (
    chat_id    BIGINT PRIMARY KEY,
    state      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
