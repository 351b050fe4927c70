-- Nadi schema, part 20: "in service on day D" written once.
--
-- A device counts on day D (coverage, trajectory, school export, the poller) when it was installed
-- by D and not decommissioned by D (DESIGN "Coverage"). Lists of devices leave out only the
-- decommissioned ones. Both rules were spelled out in every query; these immutable SQL functions
-- are inlined by the planner, so the queries cost what they did.

CREATE FUNCTION nadi_decommissioned_by(decommissioned_on date, day date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN decommissioned_on IS NOT NULL AND decommissioned_on <= day;

CREATE FUNCTION nadi_in_service(installed_on date, decommissioned_on date, day date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN installed_on <= day AND NOT nadi_decommissioned_by(decommissioned_on, day);
