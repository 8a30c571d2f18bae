-- Chats that follow a dossier without owning it (no personal data, no action buttons). The
-- same table as the notifier's migration, so that either may come first.
CREATE TABLE IF NOT EXISTS follows (
    chat_id      BIGINT NOT NULL,
    dossier_code TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (chat_id, dossier_code)
);
CREATE INDEX IF NOT EXISTS follows_code ON follows (dossier_code);
