//! Fuzz target `load`: see `eventlint::harness::load`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventlint::harness::load(data));
