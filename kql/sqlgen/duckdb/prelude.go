package duckdb

// Prelude is the SQL that defines the helper macros generated queries
// call. A store runs it once when it opens a database; it is idempotent.
const Prelude = `
CREATE OR REPLACE MACRO kql_mv_list(x, bagarray) AS
  CASE json_type(x)
    WHEN 'ARRAY' THEN CAST(x AS JSON[])
    WHEN 'OBJECT' THEN
      CASE WHEN bagarray
        THEN list_transform(json_keys(x), k -> json_array(k, json_extract(x, '$."' || replace(k, '"', '\"') || '"')))
        ELSE list_transform(json_keys(x), k -> json_object(k, json_extract(x, '$."' || replace(k, '"', '\"') || '"')))
      END
    ELSE [x]
  END;
CREATE OR REPLACE MACRO kql_real_str(x) AS
  CASE WHEN x IS NULL THEN NULL
       WHEN isnan(x) THEN 'NaN'
       WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END
       WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
       ELSE CAST(x AS VARCHAR) END;
CREATE OR REPLACE MACRO kql_dt_str(x) AS
  CASE WHEN x IS NULL THEN NULL
       ELSE strftime(x, '%Y-%m-%dT%H:%M:%S.%f') || '0Z' END;
CREATE OR REPLACE MACRO kql_ts_str(t) AS
  CASE WHEN t IS NULL THEN NULL ELSE
    (CASE WHEN t < 0 THEN '-' ELSE '' END) ||
    (CASE WHEN abs(t) >= 864000000000 THEN CAST(abs(t) // 864000000000 AS VARCHAR) || '.' ELSE '' END) ||
    lpad(CAST((abs(t) // 36000000000) % 24 AS VARCHAR), 2, '0') || ':' ||
    lpad(CAST((abs(t) // 600000000) % 60 AS VARCHAR), 2, '0') || ':' ||
    lpad(CAST((abs(t) // 10000000) % 60 AS VARCHAR), 2, '0') ||
    (CASE WHEN abs(t) % 10000000 <> 0 THEN '.' || lpad(CAST(abs(t) % 10000000 AS VARCHAR), 7, '0') ELSE '' END)
  END;
CREATE OR REPLACE MACRO kql_dyn_str(x) AS
  CASE WHEN x IS NULL THEN NULL
       WHEN json_type(x) = 'NULL' THEN ''
       ELSE json_extract_string(x, '$') END;
CREATE OR REPLACE MACRO kql_ts_parse(s) AS
  CASE
    WHEN regexp_full_match(s, '\s*-?(\d+\.)?\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,7})?)?\s*') THEN
      (CASE WHEN starts_with(trim(s), '-') THEN -1 ELSE 1 END) * (
        coalesce(TRY_CAST(nullif(regexp_extract(s, '(\d+)\.\d{1,2}:', 1), '') AS BIGINT), 0) * 864000000000 +
        CAST(regexp_extract(s, '(\d{1,2}):\d{1,2}', 1) AS BIGINT) * 36000000000 +
        CAST(regexp_extract(s, '\d{1,2}:(\d{1,2})', 1) AS BIGINT) * 600000000 +
        coalesce(TRY_CAST(nullif(regexp_extract(s, '\d{1,2}:\d{1,2}:(\d{1,2})', 1), '') AS BIGINT), 0) * 10000000 +
        coalesce(TRY_CAST(nullif(rpad(regexp_extract(s, ':\d{1,2}\.(\d{1,7})', 1), 7, '0'), '0000000') AS BIGINT), 0))
    WHEN regexp_full_match(s, '\s*-?\d+(\.\d+)?\s*(d|h|m|s|ms|microsecond|tick|day|days|hour|hours|min|minute|minutes|sec|second|seconds)\s*') THEN
      CAST(TRY_CAST(regexp_extract(s, '(-?\d+(\.\d+)?)', 1) AS DOUBLE) *
        CASE regexp_extract(s, '[a-z]+$')
          WHEN 'd' THEN 864000000000 WHEN 'day' THEN 864000000000 WHEN 'days' THEN 864000000000
          WHEN 'h' THEN 36000000000 WHEN 'hour' THEN 36000000000 WHEN 'hours' THEN 36000000000
          WHEN 'm' THEN 600000000 WHEN 'min' THEN 600000000 WHEN 'minute' THEN 600000000 WHEN 'minutes' THEN 600000000
          WHEN 's' THEN 10000000 WHEN 'sec' THEN 10000000 WHEN 'second' THEN 10000000 WHEN 'seconds' THEN 10000000
          WHEN 'ms' THEN 10000 WHEN 'microsecond' THEN 10 WHEN 'tick' THEN 1 END AS BIGINT)
    ELSE NULL END;
`
