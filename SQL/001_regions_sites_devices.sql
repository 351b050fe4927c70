-- Nadi schema, part 1: administrative regions, sites and the device inventory.
-- Apply with `nadi migrate` (or by hand: psql -v ON_ERROR_STOP=1 -1 -f 001_...sql).

CREATE EXTENSION IF NOT EXISTS ltree;

-- Kemendagri regions: 16 (province), 16.71 (regency/city), 16.71.01 (district), 16.71.01.1001 (village).
-- Dotted codes are ltree paths, so "everything under 16.71" is `code <@ '16.71'`.
CREATE TABLE region (
    code   ltree PRIMARY KEY,
    parent ltree REFERENCES region (code),
    level  text NOT NULL,
    name   text NOT NULL,
    type   text NOT NULL,
    lat    double precision,
    lon    double precision,
    CONSTRAINT region_code_format CHECK (code::text ~ '^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$'),
    CONSTRAINT region_level_valid CHECK (level IN ('province', 'regency', 'district', 'village')),
    CONSTRAINT region_level_matches_code CHECK (
        nlevel(code) = CASE level WHEN 'province' THEN 1 WHEN 'regency' THEN 2 WHEN 'district' THEN 3 ELSE 4 END),
    CONSTRAINT region_parent_matches_code CHECK (
        (nlevel(code) = 1 AND parent IS NULL) OR (nlevel(code) > 1 AND parent = subpath(code, 0, nlevel(code) - 1))),
    CONSTRAINT region_type_valid CHECK (type IN ('provinsi', 'kabupaten', 'kota', 'kecamatan', 'desa', 'kelurahan')),
    CONSTRAINT region_name_present CHECK (length(btrim(name)) > 0 AND length(name) <= 200),
    CONSTRAINT region_lat_range CHECK (lat BETWEEN -90 AND 90),
    CONSTRAINT region_lon_range CHECK (lon BETWEEN -180 AND 180)
);
CREATE INDEX region_code_gist ON region USING gist (code);
CREATE INDEX region_parent_idx ON region (parent);

-- Places devices serve. Schools use their NPSN (8 characters) as code.
CREATE TABLE site (
    code       text PRIMARY KEY,
    kind       text NOT NULL,
    name       text NOT NULL,
    region     ltree NOT NULL REFERENCES region (code),
    lat        double precision,
    lon        double precision,
    attributes jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT site_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'),
    CONSTRAINT site_kind_valid CHECK (kind IN ('school', 'office', 'intersection', 'public_space', 'pop')),
    CONSTRAINT site_school_npsn CHECK (kind <> 'school' OR code ~ '^[0-9A-Z]{8}$'),
    CONSTRAINT site_name_present CHECK (length(btrim(name)) > 0 AND length(name) <= 300),
    CONSTRAINT site_lat_range CHECK (lat BETWEEN -90 AND 90),
    CONSTRAINT site_lon_range CHECK (lon BETWEEN -180 AND 180),
    CONSTRAINT site_coordinates_paired CHECK ((lat IS NULL) = (lon IS NULL)),
    CONSTRAINT site_attributes_object CHECK (jsonb_typeof(attributes) = 'object')
);
CREATE INDEX site_region_gist ON site USING gist (region);

CREATE TABLE device (
    id                bigserial PRIMARY KEY,
    external_id       text NOT NULL UNIQUE,
    kind              text NOT NULL,
    region            ltree NOT NULL REFERENCES region (code),
    site              text REFERENCES site (code),
    name              text NOT NULL,
    lat               double precision,
    lon               double precision,
    installed_on      date NOT NULL,
    decommissioned_on date,
    interval_s        integer NOT NULL DEFAULT 60,
    attributes        jsonb NOT NULL DEFAULT '{}',
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT device_external_id_format CHECK (external_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
    CONSTRAINT device_kind_valid CHECK (kind IN ('fiber_link', 'cctv', 'videotron', 'attendance')),
    CONSTRAINT device_name_present CHECK (length(btrim(name)) > 0 AND length(name) <= 300),
    CONSTRAINT device_lat_range CHECK (lat BETWEEN -90 AND 90),
    CONSTRAINT device_lon_range CHECK (lon BETWEEN -180 AND 180),
    CONSTRAINT device_coordinates_paired CHECK ((lat IS NULL) = (lon IS NULL)),
    CONSTRAINT device_interval_range CHECK (interval_s BETWEEN 1 AND 86400),
    CONSTRAINT device_life_ordered CHECK (decommissioned_on IS NULL OR decommissioned_on >= installed_on),
    CONSTRAINT device_attributes_object CHECK (jsonb_typeof(attributes) = 'object'),
    -- Kind-specific attributes (the daemon validates first and names the problem; these keep bad rows out of psql too).
    CONSTRAINT device_fiber_attributes CHECK (kind <> 'fiber_link' OR (
        CASE WHEN jsonb_typeof(attributes -> 'length_km') = 'number'
             THEN (attributes ->> 'length_km')::numeric > 0 ELSE false END
        AND attributes ? 'a_end' AND attributes ? 'z_end')),
    CONSTRAINT device_cctv_attributes CHECK (kind <> 'cctv' OR (
        jsonb_typeof(attributes -> 'stream_url') = 'string'
        AND coalesce(jsonb_typeof(attributes -> 'public'), 'boolean') = 'boolean')),
    CONSTRAINT device_videotron_attributes CHECK (kind <> 'videotron' OR (
        CASE WHEN jsonb_typeof(attributes -> 'size_m2') = 'number'
             THEN (attributes ->> 'size_m2')::numeric > 0 ELSE false END)),
    CONSTRAINT device_attendance_attributes CHECK (kind <> 'attendance' OR (
        jsonb_typeof(attributes -> 'serial') = 'string'))
);
CREATE INDEX device_region_gist ON device USING gist (region);
CREATE INDEX device_site_idx ON device (site) WHERE site IS NOT NULL;
CREATE INDEX device_kind_idx ON device (kind);
CREATE UNIQUE INDEX device_attendance_serial_idx ON device ((attributes ->> 'serial')) WHERE kind = 'attendance';
