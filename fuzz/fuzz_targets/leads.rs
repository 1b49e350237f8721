//! Any bytes as a lead file: rows scored or rejected, counts that add up.
//! The check lives in `src/leads.rs`, shared with `tests/fuzz_replay.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tally_fuzz::leads::check_leads(data));
