-- Nadi schema, part 12: several nadid writing one database, exactly.
--
-- A writer keeps a device's newest ping time in memory and writes device_state.last_seen later
-- (one write per device per 30 s instead of one per ping). Another instance reading last_seen
-- would see it lagging and cut a wrong history. So device_state.writer names the instance
-- (a random id per nadid process) that may hold such unwritten times for the device. A writer
-- that finds another id there (or none) takes the device's newest time from the stored pings
-- instead, then writes its own id; one that finds its own id trusts its memory. After a restart
-- the id is new, so a crash that lost the unwritten times loses nothing either.
--
-- Writers of device state (batches, the silence sweeper, last-seen flushes) also hold one
-- transaction-scoped advisory lock (key 0x6E6164690003) from the moment they read state until
-- they commit, so no two instances cut the same device's history from the same stale view.
-- The pings themselves are copied before the lock, in parallel.

ALTER TABLE device_state ADD COLUMN writer uuid;
