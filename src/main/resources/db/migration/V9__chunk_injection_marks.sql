-- The reflex layer's indirect-injection verdict for a chunk, recorded when it is ingested:
-- {"injection": bool, "score", "rules", "families", "stage", "version"}; version names the detector, thresholds and
-- override it was made under. NULL: no verdict recorded (chunks ingested before this version, or the reflex layer did
-- not answer), so an ask inspects the chunk itself.
alter table chunks add column injection jsonb;
