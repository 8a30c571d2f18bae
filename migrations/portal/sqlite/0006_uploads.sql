-- An upload's idempotency key, kept with the documents it stored: the same key again answers
-- them instead of storing the papers twice.
ALTER TABLE documents ADD COLUMN upload_key TEXT;
CREATE INDEX documents_upload_key ON documents (dossier_id, upload_key);
