-- bench/events.tally written by hand in DuckDB SQL, with exactly Tally's
-- semantics (spec/LANGUAGE.md sections 4-7, 10 and 11):
--
--   * leads are read as bench/duckdb_score.sql reads them (text as is,
--     folded to compare, exact numbers, bools, dates, unreadable rows
--     left out); every input column is written back as is;
--   * an event belongs to the lead whose lead_id equals its key folded
--     (trimmed and lower-cased: the generated keys are ASCII, padded with
--     spaces only); an empty or blank key belongs to no lead;
--   * an event whose time is missing or unreadable, or whose minutes are
--     unreadable, is rejected: nothing sees it;
--   * an event's time is its date, or its RFC 3339 date-time's UTC date;
--     events after the as-of date are ignored;
--   * `within N days` is `as_of - N <= at <= as_of`;
--   * a decayed contribution is rounded half away from zero to 4 places,
--     once per event, before summing: half-life in double precision
--     (2^(-age/D)), linear and `50% every` exactly (integer arithmetic in
--     units of 0.0001); `every 1 month` counts whole calendar months as
--     months_since does; an `each` sum is limited to its max in absolute
--     value;
--   * a division rounds half away from zero to 4 places.
--
-- Points are summed as integers in units of 0.0001 (BIGINT): exact.
-- bench/duckdb_events.py replaces @LEADS@, @EVENTS@, @OUTPUT@ and @AS_OF@.

CREATE MACRO fold(t) AS lower(trim(t));

CREATE MACRO read_int(s) AS CASE
    WHEN regexp_full_match(s, '[+-]?[0-9]+([.]0+)?')
    THEN TRY_CAST(split_part(s, '.', 1) AS BIGINT) END;

CREATE MACRO read_number(s) AS CASE
    WHEN NOT regexp_full_match(s, '[+-]?[0-9]+([.][0-9]+)?') THEN NULL
    WHEN length(split_part(s, '.', 2)) > 4
    THEN error('more than 4 decimals, DECIMAL(18,4) would round: ' || s)
    ELSE CAST(s AS DECIMAL(18, 4)) END;

CREATE MACRO read_bool(s) AS CASE
    WHEN lower(s) IN ('true', 'yes', 'y', '1', 't') THEN true
    WHEN lower(s) IN ('false', 'no', 'n', '0', 'f') THEN false END;

CREATE MACRO date_time_shape() AS
    '[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)'
    || '([.][0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])';

CREATE MACRO utc_minutes(s) AS
    TRY_CAST(substr(s, 12, 2) AS INT) * 60 + TRY_CAST(substr(s, 15, 2) AS INT)
    - CASE WHEN right(s, 1) IN ('Z', 'z') THEN 0
           ELSE CASE substr(s, -6, 1) WHEN '+' THEN 1 ELSE -1 END
                * (TRY_CAST(substr(s, -5, 2) AS INT) * 60
                   + TRY_CAST(right(s, 2) AS INT))
      END;

CREATE MACRO read_date(s) AS CASE
    WHEN s < '0001' THEN NULL
    WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
    THEN TRY_CAST(s AS DATE)
    WHEN regexp_full_match(s, date_time_shape())
    THEN CAST(TRY_CAST(left(s, 10) AS DATE) + CASE
        WHEN utc_minutes(s) < 0 THEN -1
        WHEN utc_minutes(s) >= 1440 THEN 1
        ELSE 0 END AS DATE) END;

CREATE MACRO unreadable(s, v) AS coalesce(s, '') <> '' AND v IS NULL;

-- num / den (den > 0) rounded half away from zero to a whole number.
CREATE MACRO div_half_away(num, den) AS
    sign(num) * ((2 * abs(num) + den) // (2 * den));

-- points (in 0.0001) × 2^-k, rounded half away from zero: exact.
CREATE MACRO halve(units, k) AS CASE WHEN k > 60 THEN 0 ELSE
    div_half_away(CAST(units AS HUGEINT), CAST(1 AS HUGEINT) << k) END;

-- Whole calendar months from d to today (language section 5).
CREATE MACRO months_since(d, today) AS
    (12 * year(today) + month(today)) - (12 * year(d) + month(d))
    - CASE WHEN day(today) < day(d) THEN 1 ELSE 0 END;

CREATE MACRO clamp(x, lo, hi) AS greatest(least(x, hi), lo);

COPY (
  WITH raw AS (
    SELECT * FROM read_csv('@LEADS@', header = true, all_varchar = true,
                           delim = ',', quote = '"', escape = '"')
  ),
  cells AS (
    SELECT raw.*,
      fold(nullif(lead_id, ''))               AS __key,
      fold(nullif("Job Title", ''))           AS __f_title,
      fold(nullif(industry, ''))              AS __f_industry,
      trim(employees)                         AS __s_employees,
      fold(nullif(country, ''))               AS __f_country,
      trim(clicked_demo)                      AS __s_demo,
      trim(unsubscribed)                      AS __s_unsub,
      trim(last_activity)                     AS __s_activity
    FROM raw
  ),
  typed AS (
    SELECT cells.*,
      read_int(__s_employees)                 AS __v_employees,
      read_bool(__s_demo)                     AS __v_demo,
      read_bool(__s_unsub)                    AS __v_unsub,
      read_date(__s_activity)                 AS __v_activity
    FROM cells
  ),
  leads AS (
    SELECT * FROM typed
    WHERE nullif(lead_id, '') IS NOT NULL
      AND NOT unreadable(__s_employees, __v_employees)
      AND NOT unreadable(__s_demo, __v_demo)
      AND NOT unreadable(__s_unsub, __v_unsub)
      AND NOT unreadable(__s_activity, __v_activity)
  ),
  ev_raw AS (
    SELECT * FROM read_csv('@EVENTS@', header = true, all_varchar = true,
                           delim = ',', quote = '"', escape = '"')
  ),
  ev_typed AS (
    SELECT
      fold(nullif(lead_id, ''))               AS key,
      read_date(trim("at"))                   AS "at",
      fold(nullif(kind, ''))                  AS kind,
      fold(nullif(page, ''))                  AS page,
      trim(minutes)                           AS s_minutes,
      read_number(trim(minutes))              AS minutes
    FROM ev_raw
  ),
  -- Readable, on or before the as-of date, with a key.
  ev AS (
    SELECT key, "at", kind, page, minutes,
      DATE '@AS_OF@' - "at"                   AS age,
      CAST(minutes * 10000 AS BIGINT)         AS m4
    FROM ev_typed
    WHERE "at" IS NOT NULL
      AND NOT unreadable(s_minutes, minutes)
      AND "at" <= DATE '@AS_OF@'
      AND key <> ''
  ),
  contributions AS (
    SELECT ev.*,
      -- each pricing_view add 4 decay half-life 14 days
      CASE WHEN kind = 'pricing_view'
           THEN CAST(round(40000 * pow(2.0, -age / 14.0)) AS BIGINT) END
        AS c_pricing,
      -- each email_click within 90 days add 2 decay linear 60 days
      CASE WHEN kind = 'email_click' AND age <= 90
           THEN div_half_away(20000 * greatest(60 - age, 0), 60) END
        AS c_clicks,
      -- each demo_request add 20 decay 50% every 1 month
      CASE WHEN kind = 'demo_request'
           THEN halve(200000, months_since("at", DATE '@AS_OF@')) END
        AS c_demo,
      -- each webinar within 180 days add minutes * 0.2 decay linear 90 days
      -- (minutes * 0.2 is 2 * m4 in units of 0.00001)
      CASE WHEN kind = 'webinar' AND age <= 180
           THEN div_half_away(2 * m4 * greatest(90 - age, 0), 900) END
        AS c_webinar
    FROM ev
  ),
  agg AS (
    SELECT key AS __ev_key,
      count(*) FILTER (kind = 'webinar' AND age <= 90)           AS __n_webinars_90,
      count(*) FILTER (kind = 'demo_request' AND age <= 30) > 0  AS __any_demo_30,
      count(DISTINCT page) FILTER (kind = 'page_view')           AS __pages,
      sum(minutes) FILTER (age <= 365)                           AS __minutes_365,
      max(minutes) FILTER (kind = 'webinar')                     AS __max_webinar,
      min(minutes) FILTER (kind = 'webinar' AND age <= 180)      AS __min_webinar_180,
      max("at") FILTER (kind = 'pricing_view')                     AS __last_pricing,
      min("at")                                                  AS __first_at,
      max("at")                                                  AS __last_at,
      sum(c_pricing)                                             AS __sum_pricing,
      sum(c_clicks)                                              AS __sum_clicks,
      sum(c_demo)                                                AS __sum_demo,
      sum(c_webinar)                                             AS __sum_webinar,
      count(*) FILTER (kind = 'page_view' AND page = 'careers')  AS __n_careers
    FROM contributions
    GROUP BY __ev_key
  ),
  joined AS (
    SELECT leads.*, agg.* EXCLUDE (__ev_key)
    FROM leads LEFT JOIN agg ON agg.__ev_key = leads.__key
  ),
  sums AS (
    SELECT joined.*,
      -- group fit max 50 (units of 0.0001)
      10000 * (
        CASE WHEN __f_title IN ('ceo', 'cto', 'cfo', 'vp', 'chief revenue officer',
                                'founder', 'head of sales') THEN 20 ELSE 0 END
        + CASE WHEN __f_industry IN ('technology', 'software', 'saas',
                                     'financial services') THEN 15 ELSE 0 END
        + CASE WHEN __v_employees BETWEEN 50 AND 1000 THEN 10 ELSE 0 END
        + CASE WHEN __f_country IN ('us', 'uk', 'ca', 'de', 'fr', 'nl')
               THEN 5 ELSE 0 END)
        AS __fit_sum,
      -- group engagement max 70 min -20 (units of 0.0001)
      CASE WHEN coalesce(__n_webinars_90, 0) >= 2 THEN 100000 ELSE 0 END
      + CASE WHEN coalesce(__any_demo_30, false) THEN 150000 ELSE 0 END
      + CASE WHEN coalesce(__pages, 0) >= 5 THEN 50000 ELSE 0 END
      + CASE WHEN coalesce(__minutes_365, 0) > 0
             THEN least(div_half_away(CAST(__minutes_365 * 10000 AS BIGINT), 60),
                        100000) ELSE 0 END
      + CASE WHEN __max_webinar >= 60 THEN 30000 ELSE 0 END
      - CASE WHEN __min_webinar_180 < 10 THEN 20000 ELSE 0 END
      + CASE WHEN __last_pricing >= DATE '@AS_OF@' - 7 THEN 40000 ELSE 0 END
      + CASE WHEN __first_at IS NOT NULL
                  AND NOT (__first_at >= DATE '@AS_OF@' - 365)
             THEN 30000 ELSE 0 END
      - CASE WHEN __last_at IS NULL OR NOT (__last_at >= DATE '@AS_OF@' - 60)
             THEN 150000 ELSE 0 END
      + CASE WHEN __v_demo AND __v_activity IS NOT NULL
             THEN halve(100000,
                        greatest(DATE '@AS_OF@' - __v_activity, 0) // 14)
             ELSE 0 END
        AS __engagement_sum,
      -- top level: the each rules (tally at 16deaa2 does not accept them
      -- in a group), each sum limited to its max in absolute value
      least(coalesce(__sum_pricing, 0), 200000)
      + least(coalesce(__sum_clicks, 0), 100000)
      + least(coalesce(__sum_demo, 0), 300000)
      + clamp(coalesce(__sum_webinar, 0), -200000, 200000)
      - least(30000 * coalesce(__n_careers, 0), 90000)
      - CASE WHEN __v_unsub THEN 200000 ELSE 0 END
        AS __top_sum
    FROM joined
  ),
  capped AS (
    SELECT sums.*,
      least(__fit_sum, 500000)                        AS __fit,
      clamp(__engagement_sum, -200000, 700000)        AS __engagement
    FROM sums
  ),
  scored AS (
    SELECT capped.*,
      clamp(__fit + __engagement + __top_sum, 0, 1000000) AS __score
    FROM capped
  )
  -- Every input column as read, then the outputs.
  SELECT COLUMNS(lambda c: NOT starts_with(c, '__')),
    CAST(__score AS DECIMAL(18, 0)) * 0.0001 AS score,
    CAST(__fit AS DECIMAL(18, 0)) * 0.0001 AS fit,
    CAST(__engagement AS DECIMAL(18, 0)) * 0.0001 AS engagement,
    CASE
      WHEN __v_unsub THEN 'Disqualified'
      WHEN __score >= 600000 AND __fit >= 300000 THEN 'SQL'
      WHEN __score >= 350000 THEN 'MQL'
      WHEN __score >= 100000 THEN 'Lead'
      ELSE 'Nurture'
    END AS stage
  FROM scored
) TO '@OUTPUT@' (FORMAT csv, HEADER true);
