//! The floor of the scoring benchmark (bench/run): read a CSV file and
//! write it back with the `csv` crate, on one thread, scoring nothing.
//! No scorer that reads and writes CSV this way can be faster.
//!
//! ```text
//! cargo build --profile dist --bench csv_floor   # bench/run finds the binary
//! csv_floor LEADS.csv OUT.csv
//! ```
//!
//! Byte records (no UTF-8 check), the header and every row written back
//! as read (quoting only where needed), 1 MiB buffers. Run by `cargo bench`
//! without files, it says so and does nothing.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::process::ExitCode;

fn run(input: &str, output: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 20, File::open(input)?));
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(BufWriter::with_capacity(1 << 20, File::create(output)?));
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    while reader.read_byte_record(&mut record)? {
        writer.write_byte_record(&record)?;
        rows += 1;
    }
    writer.flush()?;
    Ok(rows.saturating_sub(1))
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [input, output] = args.as_slice() else {
        if args.is_empty() {
            eprintln!("csv_floor: no files given; bench/run runs it on the lead files");
            return ExitCode::SUCCESS;
        }
        eprintln!("usage: csv_floor LEADS.csv OUT.csv");
        return ExitCode::from(2);
    };
    match run(input, output) {
        Ok(rows) => {
            eprintln!("csv_floor: {rows} rows copied");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("csv_floor: {error}");
            ExitCode::from(2)
        }
    }
}
