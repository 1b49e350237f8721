-- bench/accounts.tally written by hand in DuckDB SQL: bench/duckdb_score.sql
-- (bench/scale.tally by hand, whose notes below hold here too) plus the
-- account block, as window functions over the folded `company` of the
-- readable rows (a rejected row, or one without a company, is in no
-- account: its account values are NULL, Tally's missing), with exactly
-- Tally's semantics (spec/LANGUAGE.md sections 4-7 and 12):
--
--   * the input is read as text; every input column is written back as is;
--   * a cell is missing when empty; text compares trimmed and lower-cased
--     (see fold below);
--     `matches` sees the text as written;
--   * numbers are exact decimals (DECIMAL(18,4): a value that does not fit
--     stops the query rather than being rounded); an int refuses a fraction;
--   * bools are `true false yes no y n 1 0 t f`, any case;
--   * dates are YYYY-MM-DD, or an RFC 3339 date-time whose UTC date is taken;
--   * lists split on `;`, items trimmed, empty items dropped;
--   * a row with a value that cannot be read is left out (Tally rejects it);
--   * three-valued logic: SQL's NULL is Tally's missing, and a CASE WHEN
--     whose condition is NULL adds nothing, as a Tally rule does.
--
-- bench/duckdb_score.py --sql bench/duckdb_accounts.sql replaces @INPUT@,
-- @OUTPUT@ and @AS_OF@ and runs it.

-- Text compares trimmed and lower-cased. DuckDB's trim() removes spaces,
-- Tally's all Unicode white space: the same on the generated file, whose
-- cells are padded with spaces only (trim(t, E' \t\n\r') would cover tabs
-- and line breaks too, at a cost: see docs/performance.md).
CREATE MACRO fold(t) AS lower(trim(t));

-- int: plain decimal notation whose fraction, if any, is zero.
CREATE MACRO read_int(s) AS CASE
    WHEN regexp_full_match(s, '[+-]?[0-9]+([.]0+)?')
    THEN TRY_CAST(split_part(s, '.', 1) AS BIGINT) END;

-- number: plain decimal notation, exact.
CREATE MACRO read_number(s) AS CASE
    WHEN NOT regexp_full_match(s, '[+-]?[0-9]+([.][0-9]+)?') THEN NULL
    WHEN length(split_part(s, '.', 2)) > 4
    THEN error('more than 4 decimals, DECIMAL(18,4) would round: ' || s)
    ELSE CAST(s AS DECIMAL(18, 4)) END;

CREATE MACRO read_bool(s) AS CASE
    WHEN lower(s) IN ('true', 'yes', 'y', '1', 't') THEN true
    WHEN lower(s) IN ('false', 'no', 'n', '0', 'f') THEN false END;

-- date-time: YYYY-MM-DD(T|t| )hh:mm:ss[.frac](Z|z|+hh:mm|-hh:mm), RFC 3339.
CREATE MACRO date_time_shape() AS
    '[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)'
    || '([.][0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])';

-- Minutes past midnight UTC on the local date (negative, or 1440 and more,
-- when the offset moves the moment to the day before or after).
CREATE MACRO utc_minutes(s) AS
    TRY_CAST(substr(s, 12, 2) AS INT) * 60 + TRY_CAST(substr(s, 15, 2) AS INT)
    - CASE WHEN right(s, 1) IN ('Z', 'z') THEN 0
           ELSE CASE substr(s, -6, 1) WHEN '+' THEN 1 ELSE -1 END
                * (TRY_CAST(substr(s, -5, 2) AS INT) * 60
                   + TRY_CAST(right(s, 2) AS INT))
      END;

-- date: YYYY-MM-DD (a real day, year 1 or later), or a date-time's UTC date.
CREATE MACRO read_date(s) AS CASE
    WHEN s < '0001' THEN NULL
    WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
    THEN TRY_CAST(s AS DATE)
    WHEN regexp_full_match(s, date_time_shape())
    THEN CAST(TRY_CAST(left(s, 10) AS DATE) + CASE
        WHEN utc_minutes(s) < 0 THEN -1
        WHEN utc_minutes(s) >= 1440 THEN 1
        ELSE 0 END AS DATE) END;

-- list: NULL when blank, else the folded non-empty items.
CREATE MACRO read_list(s) AS CASE WHEN s <> '' THEN
    list_filter(list_transform(string_split(lower(s), ';'), lambda x: trim(x)),
                lambda x: x <> '') END;

CREATE MACRO clamp(x, lo, hi) AS greatest(least(x, hi), lo);

COPY (
  WITH raw AS (
    SELECT * FROM read_csv('@INPUT@', header = true, all_varchar = true,
                           delim = ',', quote = '"', escape = '"')
  ),
  -- Each field the model uses: text folded, other types trimmed.
  cells AS (
    SELECT raw.*,
      nullif(lead_id, '')                     AS __f_lead_id,
      nullif(email, '')                       AS __f_email,
      fold(nullif("Job Title", ''))           AS __f_title,
      fold(nullif(industry, ''))              AS __f_industry,
      trim(employees)                         AS __s_employees,
      trim(revenue)                           AS __s_revenue,
      fold(nullif(country, ''))               AS __f_country,
      fold(nullif(source, ''))                AS __f_source,
      trim(pages)                             AS __s_pages,
      trim(webinars)                          AS __s_webinars,
      trim(clicked_demo)                      AS __s_demo,
      trim(unsubscribed)                      AS __s_unsub,
      trim(last_activity)                     AS __s_activity,
      fold(nullif(notes, ''))                 AS __f_notes,
      fold(nullif(company, ''))               AS __f_company
    FROM raw
  ),
  typed AS (
    SELECT cells.*,
      read_int(__s_employees)                 AS __v_employees,
      read_number(__s_revenue)                AS __v_revenue,
      read_list(__s_pages)                    AS __v_pages,
      read_int(__s_webinars)                  AS __v_webinars,
      read_bool(__s_demo)                     AS __v_demo,
      read_bool(__s_unsub)                    AS __v_unsub,
      read_date(__s_activity)                 AS __v_activity
    FROM cells
  ),
  readable AS (
    SELECT * FROM typed
    WHERE __f_lead_id IS NOT NULL
      AND NOT (coalesce(__s_employees, '') <> '' AND __v_employees IS NULL)
      AND NOT (coalesce(__s_revenue, '')   <> '' AND __v_revenue   IS NULL)
      AND NOT (coalesce(__s_webinars, '')  <> '' AND __v_webinars  IS NULL)
      AND NOT (coalesce(__s_demo, '')      <> '' AND __v_demo      IS NULL)
      AND NOT (coalesce(__s_unsub, '')     <> '' AND __v_unsub     IS NULL)
      AND NOT (coalesce(__s_activity, '')  <> '' AND __v_activity  IS NULL)
  ),
  -- The input-level account values: count, count where, max of a field.
  account_in AS (
    SELECT readable.*,
      CASE WHEN __f_company IS NOT NULL THEN
        count(*) OVER (PARTITION BY __f_company) END                AS __a_people,
      CASE WHEN __f_company IS NOT NULL THEN
        count(*) FILTER (WHERE __f_title IN ('ceo', 'cto', 'cfo', 'vp',
            'chief revenue officer', 'founder', 'head of sales'))
          OVER (PARTITION BY __f_company) END                       AS __a_deciders,
      CASE WHEN __f_company IS NOT NULL THEN
        max(__v_employees) OVER (PARTITION BY __f_company) END      AS __a_top_size
    FROM readable
  ),
  sums AS (
    SELECT account_in.*,
      -- group fit max 60
      CASE WHEN __f_title IN ('ceo', 'cto', 'cfo', 'vp', 'chief revenue officer',
                              'founder', 'head of sales') THEN 20 ELSE 0 END
      + CASE WHEN contains(__f_title, 'manager') THEN 8 ELSE 0 END
      - CASE WHEN starts_with(__f_title, 'intern') OR contains(__f_title, 'student')
             THEN 15 ELSE 0 END
      + CASE WHEN __f_industry IN ('technology', 'software', 'saas',
                                   'financial services') THEN 15 ELSE 0 END
      + CASE WHEN __v_employees BETWEEN 50 AND 1000 THEN 10 ELSE 0 END
      + CASE WHEN __v_employees > 5000 THEN 5 ELSE 0 END
      + CASE WHEN __v_revenue >= 1 THEN least(__v_revenue * 0.5, 15) ELSE 0 END
      + CASE WHEN __f_country IN ('us', 'uk', 'ca', 'de', 'fr', 'nl')
             THEN 5 ELSE 0 END
      - CASE WHEN __f_country NOT IN ('us', 'uk', 'ca', 'de', 'fr', 'nl')
             THEN 5 ELSE 0 END
        AS __fit_sum,
      -- group engagement max 50 min -10
      CASE WHEN list_contains(__v_pages, 'pricing') THEN 15 ELSE 0 END
      + CASE WHEN list_has_any(__v_pages, ['demo', 'trial', 'contact-sales'])
             THEN 10 ELSE 0 END
      + CASE WHEN len(__v_pages) >= 5 THEN 5 ELSE 0 END
      + CASE WHEN __v_webinars > 0 THEN least(5 * __v_webinars, 20) ELSE 0 END
      + CASE WHEN __v_demo THEN 25 ELSE 0 END
      - CASE WHEN __v_unsub THEN 20 ELSE 0 END
      - CASE WHEN list_contains(__v_pages, 'careers') THEN 10 ELSE 0 END
      + CASE WHEN __v_activity BETWEEN DATE '@AS_OF@' - 30 AND DATE '@AS_OF@'
             THEN 10 ELSE 0 END
      - CASE WHEN NOT (__v_activity BETWEEN DATE '@AS_OF@' - 180
                                        AND DATE '@AS_OF@')
             THEN 15 ELSE 0 END
        AS __engagement_sum,
      -- top-level rules
      - CASE WHEN regexp_matches(__f_email, '(?i)@(gmail|yahoo|hotmail|outlook)[.]com$')
             THEN 10 ELSE 0 END
      + CASE WHEN contains(__f_notes, 'budget') THEN 5 ELSE 0 END
      + CASE WHEN __f_source = 'referral' THEN 10 ELSE 0 END
      + CASE WHEN __f_source IN ('paid-search', 'paid-social', 'display')
                  AND __v_demo THEN 5 ELSE 0 END
      - CASE WHEN __f_email IS NULL THEN 5 ELSE 0 END
      + CASE WHEN __a_deciders >= 2 AND __a_top_size >= 50 THEN 10 ELSE 0 END
        AS __top_sum
    FROM account_in
  ),
  capped AS (
    SELECT sums.*,
      least(__fit_sum, 60)                    AS __fit,
      clamp(__engagement_sum, -10, 50)        AS __engagement
    FROM sums
  ),
  scored AS (
    SELECT capped.*,
      clamp(__fit + __engagement + __top_sum, 0, 100) AS __score
    FROM capped
  ),
  -- The score-level account value: the sum of the account's scores.
  account_score AS (
    SELECT scored.*,
      CASE WHEN __f_company IS NOT NULL THEN
        sum(__score) OVER (PARTITION BY __f_company) END            AS __a_heat
    FROM scored
  )
  -- Every input column as read, then the outputs.
  SELECT COLUMNS(lambda c: NOT starts_with(c, '__')),
    __score AS score, __fit AS fit, __engagement AS engagement,
    CASE
      WHEN __v_unsub THEN 'Disqualified'
      WHEN __score >= 70 AND __fit >= 30 AND __a_heat >= 100 THEN 'SQL'
      WHEN __score >= 40 THEN 'MQL'
      WHEN __score >= 15 THEN 'Lead'
      ELSE 'Nurture'
    END AS stage,
    __a_people AS "account.people", __a_deciders AS "account.deciders",
    __a_top_size AS "account.top_size", __a_heat AS "account.heat"
  FROM account_score
) TO '@OUTPUT@' (FORMAT csv, HEADER true);
