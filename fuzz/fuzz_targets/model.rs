//! Any bytes as a model: findings or a model, and `fmt` round trips.
//! The check lives in `src/model.rs`, shared with `tests/fuzz_replay.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tally_fuzz::model::check_model(data));
