-- Who did what: the name of the officer who made each officer action (an event) and who
-- answered each question; NULL for the citizen's own acts and for rows written before.
ALTER TABLE events ADD COLUMN officer TEXT;
ALTER TABLE questions ADD COLUMN answered_by TEXT;
