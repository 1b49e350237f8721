//! Opening a lead file or standard input as a buffered byte stream,
//! decompressing gzip on the way.

use std::fs::File;
use std::io::{self, BufRead, BufReader};

use flate2::bufread::MultiGzDecoder;

use super::format::NameHint;

/// Buffer size for reading lead files.
const BUFFER: usize = 64 * 1024;

/// Open `path` (`-` is standard input). The stream is decompressed when
/// the name ends in `.gz` or the bytes start with gzip's magic number, so
/// gzipped standard input works too. Concatenated gzip members are read
/// as one stream.
pub fn open(path: &str) -> io::Result<Box<dyn BufRead + Send>> {
    let mut raw: Box<dyn BufRead + Send> = if path == "-" {
        Box::new(BufReader::with_capacity(BUFFER, io::stdin()))
    } else {
        Box::new(BufReader::with_capacity(BUFFER, File::open(path)?))
    };
    let magic = raw.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    if NameHint::of(path).gzip || magic {
        let decoder = MultiGzDecoder::new(raw);
        Ok(Box::new(BufReader::with_capacity(BUFFER, decoder)))
    } else {
        Ok(raw)
    }
}
