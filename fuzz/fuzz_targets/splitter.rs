//! The fast CSV line splitter against csv_core.
//! The check lives in `src/splitter.rs`, shared with `tests/fuzz_replay.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tally_fuzz::splitter::check_splitter(data));
