-- The reference portal's tables (SQLite). Times are Unix seconds; flags are 0/1.
CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_type   TEXT   NOT NULL,
    login          TEXT   NOT NULL UNIQUE,
    full_name      TEXT   NOT NULL,
    birth_date     TEXT   NOT NULL,
    phone          TEXT   NOT NULL,
    email          TEXT,
    address        TEXT   NOT NULL,
    password_hash  TEXT   NOT NULL,
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    locked_until   BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT   PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE dossiers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    code            TEXT UNIQUE,
    owner_id        BIGINT NOT NULL REFERENCES accounts(id),
    procedure_code  TEXT   NOT NULL,
    agency_code     TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    return_status   TEXT,
    form_values     TEXT   NOT NULL,
    delivery        TEXT,
    pending         TEXT,
    result_sha256   TEXT,
    result_name     TEXT,
    result_mime     TEXT,
    create_key      TEXT,
    submit_key      TEXT,
    created_at      BIGINT NOT NULL,
    submitted_at    BIGINT,
    due_date        TEXT,
    UNIQUE (owner_id, create_key)
);
CREATE INDEX dossiers_owner_status ON dossiers (owner_id, status);
CREATE INDEX dossiers_status ON dossiers (status);

CREATE TABLE documents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id  BIGINT NOT NULL REFERENCES dossiers(id),
    paper_code  TEXT   NOT NULL,
    file_name   TEXT   NOT NULL,
    mime        TEXT   NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT   NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX documents_dossier ON documents (dossier_id);

-- Event ids come from this counter, incremented first in every transition's transaction: the
-- row lock serialises transitions, so ids commit in order and a feed cursor never skips one.
CREATE TABLE counters (
    name  TEXT   PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('event', 0);

CREATE TABLE events (
    id          BIGINT PRIMARY KEY,
    dossier_id  BIGINT NOT NULL REFERENCES dossiers(id),
    code        TEXT,
    owner_id    BIGINT NOT NULL,
    kind        TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    at          BIGINT NOT NULL,
    data        TEXT   NOT NULL
);
CREATE INDEX events_dossier ON events (dossier_id);

-- The sequence of dossier codes per receiving agency per day (Asia/Ho_Chi_Minh).
CREATE TABLE day_sequences (
    agency_code TEXT   NOT NULL,
    day         TEXT   NOT NULL,
    last        BIGINT NOT NULL,
    PRIMARY KEY (agency_code, day)
);
