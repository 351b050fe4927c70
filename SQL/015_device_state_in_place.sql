-- Nadi schema, part 15: device_state rows updated in place.
--
-- Every batch updates the state rows of the devices whose status changed, and the last-seen flush
-- updates up to 5,000 rows at a time — all under the state lock that orders the writers. An
-- update that changes no indexed column and finds room on its page is a HOT update: no new index
-- entries, far less WAL. The index on last_seen defeated that (every row's last_seen changes), and
-- nothing used it: the silence sweep compares last_seen with each device's own interval, so it
-- reads the whole table either way. Pages are left a fifth empty so that updates find room.

DROP INDEX device_state_last_seen_idx;
ALTER TABLE device_state SET (fillfactor = 80);
