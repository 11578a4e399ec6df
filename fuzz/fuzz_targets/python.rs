//! Fuzz target `python`: see `eventlint::harness::python`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventlint::harness::python(data));
