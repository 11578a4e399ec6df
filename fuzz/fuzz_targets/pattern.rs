//! Fuzz target `pattern`: see `eventlint::harness::pattern`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventlint::harness::pattern(data));
