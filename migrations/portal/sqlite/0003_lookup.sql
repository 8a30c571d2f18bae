-- Following, rating and asking (SQLite): wrong second factors of the public lookup, ratings
-- after the result, questions to officers; events that concern no dossier (an answer to a
-- question about nothing in particular). Times are Unix seconds.

-- One row per wrong `cccd_last4`, kept 15 minutes: counted per dossier code and per client.
CREATE TABLE lookup_failures (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    code    TEXT   NOT NULL,
    client  TEXT   NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX lookup_failures_code ON lookup_failures (code, at);
CREATE INDEX lookup_failures_client ON lookup_failures (client, at);

-- The citizen's rating of a dossier after its result: one per dossier.
CREATE TABLE ratings (
    dossier_id      BIGINT PRIMARY KEY REFERENCES dossiers(id),
    account_id      BIGINT NOT NULL REFERENCES accounts(id),
    procedure_code  TEXT   NOT NULL,
    agency_code     TEXT   NOT NULL,
    stars           BIGINT NOT NULL,
    comment         TEXT,
    created_at      BIGINT NOT NULL
);

-- Questions to officers, optionally about one of the asker's dossiers.
CREATE TABLE questions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    dossier_id  BIGINT REFERENCES dossiers(id),
    text        TEXT   NOT NULL,
    answer      TEXT,
    answered_at BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX questions_answered ON questions (answered_at, id);

-- Events may concern no dossier (then no status either): SQLite rebuilds the table.
CREATE TABLE events_new (
    id          BIGINT PRIMARY KEY,
    dossier_id  BIGINT REFERENCES dossiers(id),
    code        TEXT,
    owner_id    BIGINT NOT NULL,
    kind        TEXT   NOT NULL,
    status      TEXT,
    at          BIGINT NOT NULL,
    data        TEXT   NOT NULL
);
INSERT INTO events_new (id, dossier_id, code, owner_id, kind, status, at, data)
    SELECT id, dossier_id, code, owner_id, kind, status, at, data FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_dossier ON events (dossier_id);
