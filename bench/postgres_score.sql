-- bench/scale.tally written by hand in PostgreSQL, with the semantics of
-- bench/duckdb_score.sql (which lists them): text read as text, compared
-- trimmed of spaces and lower-cased; exact numbers (NUMERIC); ints that
-- refuse a fraction; bools in any case; dates as YYYY-MM-DD or an RFC 3339
-- date-time's UTC date; lists split on `;`, items trimmed, empty ones
-- dropped; a row with a cell that cannot be read left out.
--
-- bench/postgres_bench.py creates the functions, then times the final
-- statement with @AS_OF@ replaced, over a table `leads` of TEXT columns.
-- The functions are one SQL expression each: PostgreSQL inlines them.
-- Each step ends with `OFFSET 0`: PostgreSQL would otherwise merge the
-- steps and copy `score`'s whole expression into every line of the
-- ladder (24.9 s for 20,000 rows instead of a fraction of one).

CREATE FUNCTION fold(t TEXT) RETURNS TEXT IMMUTABLE LANGUAGE sql
  AS $$ SELECT lower(btrim(t)) $$;

CREATE FUNCTION read_int(s TEXT) RETURNS BIGINT IMMUTABLE LANGUAGE sql
  AS $$ SELECT CASE WHEN s ~ '^[+-]?[0-9]+([.]0+)?$'
                    THEN split_part(s, '.', 1)::BIGINT END $$;

CREATE FUNCTION read_number(s TEXT) RETURNS NUMERIC IMMUTABLE LANGUAGE sql
  AS $$ SELECT CASE WHEN s ~ '^[+-]?[0-9]+([.][0-9]+)?$' THEN s::NUMERIC END $$;

CREATE FUNCTION read_bool(s TEXT) RETURNS BOOLEAN IMMUTABLE LANGUAGE sql
  AS $$ SELECT CASE WHEN lower(s) IN ('true', 'yes', 'y', '1', 't') THEN true
                    WHEN lower(s) IN ('false', 'no', 'n', '0', 'f') THEN false END $$;

-- Whether the first 10 characters (digits in date shape) name a real day:
-- a cast of an impossible day fails the query in PostgreSQL.
CREATE FUNCTION real_day(s TEXT) RETURNS BOOLEAN IMMUTABLE LANGUAGE sql
  AS $$ SELECT substr(s, 1, 4)::INT >= 1
           AND substr(s, 6, 2)::INT BETWEEN 1 AND 12
           AND substr(s, 9, 2)::INT BETWEEN 1 AND CASE
             WHEN substr(s, 6, 2)::INT IN (4, 6, 9, 11) THEN 30
             WHEN substr(s, 6, 2)::INT = 2 THEN
               CASE WHEN (substr(s, 1, 4)::INT % 4 = 0 AND substr(s, 1, 4)::INT % 100 <> 0)
                         OR substr(s, 1, 4)::INT % 400 = 0 THEN 29 ELSE 28 END
             ELSE 31 END $$;

-- Minutes past midnight UTC on the local date of a date-time.
CREATE FUNCTION utc_minutes(s TEXT) RETURNS INT IMMUTABLE LANGUAGE sql
  AS $$ SELECT substr(s, 12, 2)::INT * 60 + substr(s, 15, 2)::INT
           - CASE WHEN right(s, 1) IN ('Z', 'z') THEN 0
                  ELSE CASE substr(s, length(s) - 5, 1) WHEN '+' THEN 1 ELSE -1 END
                       * (substr(s, length(s) - 4, 2)::INT * 60 + right(s, 2)::INT) END $$;

CREATE FUNCTION read_date(s TEXT) RETURNS DATE IMMUTABLE LANGUAGE sql
  AS $$ SELECT CASE
    WHEN s ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
    THEN CASE WHEN real_day(s) THEN s::DATE END
    WHEN s ~ ('^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)'
              || '([.][0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$')
    THEN CASE WHEN real_day(s) THEN left(s, 10)::DATE + CASE
      WHEN utc_minutes(s) < 0 THEN -1
      WHEN utc_minutes(s) >= 1440 THEN 1
      ELSE 0 END END END $$;

-- NULL when blank, else the lower-cased items, white space around them
-- and empty ones dropped.
CREATE FUNCTION read_list(s TEXT) RETURNS TEXT[] IMMUTABLE LANGUAGE sql
  AS $$ SELECT CASE WHEN s <> '' THEN array_remove(
    string_to_array(regexp_replace(lower(s), '\s*;\s*', ';', 'g'), ';'), '') END $$;

CREATE FUNCTION clamp(x NUMERIC, lo NUMERIC, hi NUMERIC) RETURNS NUMERIC
  IMMUTABLE LANGUAGE sql AS $$ SELECT greatest(least(x, hi), lo) $$;

WITH cells AS (
  SELECT leads.*,
    nullif(lead_id, '')              AS f_lead_id,
    fold(nullif(email, ''))          AS f_email,
    fold(nullif("Job Title", ''))    AS f_title,
    fold(nullif(industry, ''))       AS f_industry,
    btrim(employees)                 AS s_employees,
    btrim(revenue)                   AS s_revenue,
    fold(nullif(country, ''))        AS f_country,
    fold(nullif(source, ''))         AS f_source,
    btrim(pages)                     AS s_pages,
    btrim(webinars)                  AS s_webinars,
    btrim(clicked_demo)              AS s_demo,
    btrim(unsubscribed)              AS s_unsub,
    btrim(last_activity)             AS s_activity,
    fold(nullif(notes, ''))          AS f_notes
  FROM leads
  OFFSET 0
),
typed AS (
  SELECT cells.*,
    read_int(s_employees)            AS v_employees,
    read_number(s_revenue)           AS v_revenue,
    read_list(s_pages)               AS v_pages,
    read_int(s_webinars)             AS v_webinars,
    read_bool(s_demo)                AS v_demo,
    read_bool(s_unsub)               AS v_unsub,
    read_date(s_activity)            AS v_activity
  FROM cells
  OFFSET 0
),
readable AS (
  SELECT * FROM typed
  WHERE f_lead_id IS NOT NULL
    AND NOT (coalesce(s_employees, '') <> '' AND v_employees IS NULL)
    AND NOT (coalesce(s_revenue, '')   <> '' AND v_revenue   IS NULL)
    AND NOT (coalesce(s_webinars, '')  <> '' AND v_webinars  IS NULL)
    AND NOT (coalesce(s_demo, '')      <> '' AND v_demo      IS NULL)
    AND NOT (coalesce(s_unsub, '')     <> '' AND v_unsub     IS NULL)
    AND NOT (coalesce(s_activity, '')  <> '' AND v_activity  IS NULL)
  OFFSET 0
),
sums AS (
  SELECT readable.*,
    CASE WHEN f_title IN ('ceo', 'cto', 'cfo', 'vp', 'chief revenue officer',
                          'founder', 'head of sales') THEN 20 ELSE 0 END
    + CASE WHEN strpos(f_title, 'manager') > 0 THEN 8 ELSE 0 END
    - CASE WHEN starts_with(f_title, 'intern') OR strpos(f_title, 'student') > 0
           THEN 15 ELSE 0 END
    + CASE WHEN f_industry IN ('technology', 'software', 'saas',
                               'financial services') THEN 15 ELSE 0 END
    + CASE WHEN v_employees BETWEEN 50 AND 1000 THEN 10 ELSE 0 END
    + CASE WHEN v_employees > 5000 THEN 5 ELSE 0 END
    + CASE WHEN v_revenue >= 1 THEN least(v_revenue * 0.5, 15) ELSE 0 END
    + CASE WHEN f_country IN ('us', 'uk', 'ca', 'de', 'fr', 'nl') THEN 5 ELSE 0 END
    - CASE WHEN f_country NOT IN ('us', 'uk', 'ca', 'de', 'fr', 'nl') THEN 5 ELSE 0 END
      AS fit_sum,
    CASE WHEN 'pricing' = ANY (v_pages) THEN 15 ELSE 0 END
    + CASE WHEN v_pages && ARRAY['demo', 'trial', 'contact-sales'] THEN 10 ELSE 0 END
    + CASE WHEN cardinality(v_pages) >= 5 THEN 5 ELSE 0 END
    + CASE WHEN v_webinars > 0 THEN least(5 * v_webinars, 20) ELSE 0 END
    + CASE WHEN v_demo THEN 25 ELSE 0 END
    - CASE WHEN v_unsub THEN 20 ELSE 0 END
    - CASE WHEN 'careers' = ANY (v_pages) THEN 10 ELSE 0 END
    + CASE WHEN v_activity BETWEEN DATE '@AS_OF@' - 30 AND DATE '@AS_OF@' THEN 10 ELSE 0 END
    - CASE WHEN NOT (v_activity BETWEEN DATE '@AS_OF@' - 180 AND DATE '@AS_OF@')
           THEN 15 ELSE 0 END
      AS engagement_sum,
    - CASE WHEN nullif(email, '') ~* '@(gmail|yahoo|hotmail|outlook)[.]com$' THEN 10 ELSE 0 END
    + CASE WHEN strpos(f_notes, 'budget') > 0 THEN 5 ELSE 0 END
    + CASE WHEN f_source = 'referral' THEN 10 ELSE 0 END
    + CASE WHEN f_source IN ('paid-search', 'paid-social', 'display') AND v_demo
           THEN 5 ELSE 0 END
    - CASE WHEN f_email IS NULL THEN 5 ELSE 0 END
      AS top_sum
  FROM readable
  OFFSET 0
),
capped AS (
  SELECT sums.*, least(fit_sum, 60) AS fit, clamp(engagement_sum, -10, 50) AS engagement
  FROM sums
  OFFSET 0
),
scored AS (
  SELECT capped.*, clamp(fit + engagement + top_sum, 0, 100) AS score FROM capped
  OFFSET 0
)
SELECT lead_id, email, "Job Title", industry, employees, revenue, country, source,
  pages, webinars, clicked_demo, unsubscribed, last_activity, notes,
  score, fit, engagement,
  CASE
    WHEN v_unsub THEN 'Disqualified'
    WHEN score >= 70 AND fit >= 30 THEN 'SQL'
    WHEN score >= 40 THEN 'MQL'
    WHEN score >= 15 THEN 'Lead'
    ELSE 'Nurture'
  END AS stage
FROM scored
