//! Fuzz target `js`: see `eventlint::harness::js`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventlint::harness::js(data));
