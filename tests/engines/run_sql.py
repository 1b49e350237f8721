#!/usr/bin/env python3
"""Run `tally sql` queries in a real engine, for tests/sql_engines.rs.

    python3 run_sql.py ENGINE JOBS.json

ENGINE is `duckdb`, `postgres` or `spark` (local mode, one session;
`spark-csv` writes each table to a CSV file and reads it with the recipe
of docs/sql.md). JOBS.json is a list of jobs
`{"table": NAME, "columns": [...], "rows": [[text or null, ...]], "sql": QUERY}`,
with optionally `"tables": [{"table", "columns", "rows"}, ...]`: more tables
the query reads (events), created the same way before it runs, and
(PostgreSQL only) `"setup": [STATEMENT, ...]` run after loading them
(`ANALYZE`, for a test of the plan).
Every job runs in one engine session (PostgreSQL: a throwaway cluster in a
temporary directory on 127.0.0.1 and a free port, stopped afterwards): its
table is created with TEXT columns, filled, and the query's result printed.
Output on standard output: a JSON list, per job `{"columns": [...], "rows":
[[...]]}` or `{"error": "..."}`. Values: decimals as plain text, dates as
ISO text, booleans and text as they are, NULL as null.

Exit status 3 (with a message on standard error) when the engine is not
installed: install it with `bash scripts/test`.
"""

import contextlib
import datetime
import decimal
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile


def missing(what):
    sys.stderr.write(f"{what} is not installed; run `bash scripts/test` to install the test engines\n")
    sys.exit(3)


def plain(value):
    if isinstance(value, decimal.Decimal):
        # Not the default context: its 28 digits would round a
        # DECIMAL(38, 10) such as 1999999999999999999.9999999998.
        text = format(value.normalize(decimal.Context(prec=100)), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (bool, str, int)) or value is None:
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def run_duckdb(jobs):
    try:
        import duckdb
    except ImportError:
        missing("the duckdb Python package")
    con = duckdb.connect()
    # Far from UTC, so that a query taking the local date would be caught.
    con.execute("SET TimeZone = 'Pacific/Pago_Pago'")
    results = []

    def load(job):
        table = quote(job["table"])
        columns = ", ".join(f"{quote(c)} VARCHAR" for c in job["columns"])
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} ({columns})")
        if job["rows"]:
            # Rows go in through a JSON file: one statement, fast.
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump([dict(zip(job["columns"], r)) for r in job["rows"]], f)
                path = f.name
            cols = ", ".join(f"{literal(c)}: 'VARCHAR'" for c in job["columns"])
            names = ", ".join(quote(c) for c in job["columns"])
            con.execute(
                f"INSERT INTO {table} SELECT {names} FROM read_json(?, format='array', columns={{{cols}}})",
                [path],
            )
            os.unlink(path)

    for job in jobs:
        for extra in job.get("tables", []):
            load(extra)
        load(job)
        try:
            cur = con.execute(job["sql"])
            names = [d[0] for d in cur.description]
            rows = [[plain(v) for v in row] for row in cur.fetchall()]
            results.append({"columns": names, "rows": rows})
        except Exception as e:  # the test reports it
            results.append({"error": str(e)})
    return results


def run_or_explain(argv, what):
    """Run a server tool; when it fails, stop with its own error output."""
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if done.returncode != 0:
        output = (done.stderr or b"") + (done.stdout or b"")
        sys.stderr.write(f"{what} failed (exit {done.returncode}): {' '.join(argv)}\n")
        sys.stderr.write(output.decode("utf-8", "replace"))
        sys.exit(4)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres_cluster():
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        missing("PostgreSQL (Debian's postgresql package)")
    bindir = os.path.dirname(bins[-1])
    root = tempfile.mkdtemp(prefix="tally-pg-")
    data = os.path.join(root, "data")
    port = free_port()
    as_postgres = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: hand the directory to `postgres`.
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    run_or_explain(as_postgres + [f"{bindir}/initdb", "-D", data, "-U", "tally", "--auth=trust",
                                  "--encoding=UTF8", "--locale=C.UTF-8"], "PostgreSQL's initdb")
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off"
    log = os.path.join(root, "log")
    try:
        run_or_explain(as_postgres + [f"{bindir}/pg_ctl", "-D", data, "-o", options, "-w", "-l",
                                      log, "start"], "PostgreSQL's pg_ctl start")
    except SystemExit:
        if os.path.exists(log):
            with open(log, encoding="utf-8", errors="replace") as server_log:
                sys.stderr.write("the server's log:\n" + server_log.read())
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield port
    finally:
        subprocess.run(as_postgres + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


def run_postgres(jobs):
    try:
        import psycopg
    except ImportError:
        missing("the psycopg Python package")
    results = []
    with postgres_cluster() as port:
        with psycopg.connect(host="127.0.0.1", port=port, user="tally", dbname="postgres",
                             autocommit=True) as con:
            con.execute("SET TimeZone = 'Pacific/Pago_Pago'")
            def load(job):
                table = quote(job["table"])
                columns = ", ".join(f"{quote(c)} TEXT" for c in job["columns"])
                con.execute(f"DROP TABLE IF EXISTS {table}")
                con.execute(f"CREATE TABLE {table} ({columns})")
                with con.cursor() as cur:
                    with cur.copy(f"COPY {table} FROM STDIN") as copy:
                        for row in job["rows"]:
                            copy.write_row(row)

            for job in jobs:
                for extra in job.get("tables", []):
                    load(extra)
                load(job)
                for statement in job.get("setup", []):
                    con.execute(statement)
                try:
                    cur = con.execute(job["sql"])
                    names = [d.name for d in cur.description]
                    rows = [[plain(v) for v in row] for row in cur.fetchall()]
                    results.append({"columns": names, "rows": rows})
                except Exception as e:
                    results.append({"error": str(e)})
    return results


def spark_csv_recipe():
    """The statement docs/sql.md gives for reading a CSV file into Spark:
    the text between `cat > score.sql <<'EOF'` and `EOF`."""
    docs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "sql.md")
    with open(docs, encoding="utf-8") as f:
        text = f.read()
    start = text.index("cat > score.sql <<'EOF'\n") + len("cat > score.sql <<'EOF'\n")
    end = text.index("\nEOF\n", start)
    return text[start:end]


def write_csv(path, columns, rows):
    """A CSV file as spreadsheets and `tally score` write it: a header,
    cells quoted when they hold a comma, quote or line break, quotes
    doubled; NULL is an empty cell."""
    import csv
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in row])


def run_spark(jobs, csv_files=False):
    """With `csv_files`, each table is a CSV file read with the recipe of
    docs/sql.md rather than a data frame."""
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql.types import StringType, StructField, StructType
    except ImportError:
        missing("the pyspark Python package")
    recipe = spark_csv_recipe() if csv_files else None
    scratch = tempfile.mkdtemp(prefix="tally-spark-csv-")
    spark = (SparkSession.builder.master("local[2]").appName("tally-sql-tests")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "Pacific/Pago_Pago")
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")
    results = []
    try:
        for job in jobs:
            for table in job.get("tables", []) + [job]:
                if recipe is None:
                    schema = StructType([StructField(c, StringType()) for c in table["columns"]])
                    spark.createDataFrame(table["rows"], schema).createOrReplaceTempView(table["table"])
                else:
                    path = os.path.join(scratch, table["table"] + ".csv")
                    write_csv(path, table["columns"], table["rows"])
                    statement = (recipe.replace("'leads.csv'", "'" + path + "'")
                                 .replace("VIEW leads ", "VIEW " + table["table"] + " "))
                    spark.sql(statement.strip().rstrip(";"))
            # The query's leading `SET …;` lines are statements of their own.
            lines = job["sql"].rstrip().rstrip(";").split("\n")
            query = [line for line in lines if not line.startswith("SET ")]
            try:
                for line in lines:
                    if line.startswith("SET "):
                        spark.sql(line.rstrip(";"))
                frame = spark.sql("\n".join(query))
                names = frame.columns
                rows = [[plain(v) for v in row] for row in frame.collect()]
                results.append({"columns": names, "rows": rows})
            except Exception as e:
                results.append({"error": str(e)[:3000]})
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def translated_to_duckdb(dialect):
    """Queries of `dialect` (Snowflake, BigQuery), translated by sqlglot
    into DuckDB's dialect and run there: no account is needed, so this
    checks the query's logic (layers, quoting, exact division, lists), not
    the engine's own functions."""

    def run(jobs):
        try:
            import sqlglot
        except ImportError:
            missing("the sqlglot Python package")
        from sqlglot import exp

        # sqlglot keeps BigQuery's NORMALIZE(x, NFC) and the byte length
        # of text as they are; DuckDB spells them nfc_normalize(x) and
        # strlen(x). (Outermost first: each keeps its argument's nodes.)
        duckdb_names = {exp.Normalize: "nfc_normalize", exp.ByteLength: "strlen"}

        def respell(tree):
            for node in list(tree.find_all(*duckdb_names)):
                name = duckdb_names[type(node)]
                node.replace(exp.Anonymous(this=name, expressions=[node.this]))
            return tree

        # sqlglot parses recursively, about twenty frames per level: text
        # folding nests a `replace` per character that folds to several.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
        translated = []
        for job in jobs:
            statements = sqlglot.parse(job["sql"], read=dialect)
            sql = respell(statements[-1]).sql(dialect="duckdb")
            translated.append(dict(job, sql=sql))
        return run_duckdb(translated)

    return run


def main():
    engine, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        jobs = json.load(f)
    run = {
        "duckdb": run_duckdb,
        "postgres": run_postgres,
        "spark": run_spark,
        "spark-csv": lambda jobs: run_spark(jobs, csv_files=True),
        "snowflake-in-duckdb": translated_to_duckdb("snowflake"),
        "bigquery-in-duckdb": translated_to_duckdb("bigquery"),
        "none": lambda jobs: [],
    }.get(engine)
    if run is None:
        sys.stderr.write(f"unknown engine {engine}\n")
        sys.exit(2)
    json.dump(run(jobs), sys.stdout)


if __name__ == "__main__":
    main()
