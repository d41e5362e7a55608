-- A subscription's connection string changes: compared by its digest.
-- since: 150000
-- a:
CREATE SUBSCRIPTION feed CONNECTION 'host=old.invalid dbname=shop'
    PUBLICATION orders WITH (connect = false, enabled = false, slot_name = NONE);
-- b:
CREATE SUBSCRIPTION feed CONNECTION 'host=new.invalid dbname=shop'
    PUBLICATION orders WITH (connect = false, enabled = false, slot_name = NONE);
