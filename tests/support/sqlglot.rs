//! sqlglot as a check that generated SQL parses in its dialect (shared by
//! the SQL test files through `#[path]`).

use std::io::Write;
use std::process::{Command, Stdio};

/// Assert that sqlglot reads `sql` in dialect `name` without an error.
/// Fails, with the install command, when python3 or sqlglot is missing.
pub fn assert_parses(sql: &str, name: &str) {
    let script = format!(
        // sqlglot parses recursively, about twenty frames a level; text
        // folding nests a `replace` per character folding to several.
        "import sys\nsys.setrecursionlimit(20000)\ntry:\n    import sqlglot\nexcept ImportError:\n    sys.exit(3)\nfor statement in sqlglot.parse(sys.stdin.read(), read={name:?}):\n    assert statement is not None\n"
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed; install the test tools with `bash scripts/test`");
    child
        .stdin
        .take()
        .expect("a pipe to python3")
        .write_all(sql.as_bytes())
        .expect("python3 reads the query");
    let out = child.wait_with_output().expect("python3 runs");
    assert_ne!(
        out.status.code(),
        Some(3),
        "sqlglot is not installed; run `bash scripts/test`"
    );
    assert!(
        out.status.success(),
        "sqlglot cannot parse the {name} query: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
