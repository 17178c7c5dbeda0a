-- Up Migration
-- The version of the notes list, bumped in the same transaction as every statement that writes
-- notes. The list pages cached in Redis carry the version they were read at and are served only
-- while it is current, so a write is visible to every replica's next read as soon as it
-- commits, whether or not the replica that made it could reach Redis.
CREATE TABLE notes_list_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version bigint NOT NULL
);
INSERT INTO notes_list_version (version) VALUES (0);

CREATE FUNCTION bump_notes_list_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE notes_list_version SET version = version + 1;
  RETURN NULL;
END
$$;

-- Per statement, not per row: one bump however many rows a statement writes.
CREATE TRIGGER notes_list_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON notes
  FOR EACH STATEMENT EXECUTE FUNCTION bump_notes_list_version();

-- Down Migration
DROP TRIGGER notes_list_version_bump ON notes;
DROP FUNCTION bump_notes_list_version();
DROP TABLE notes_list_version;
