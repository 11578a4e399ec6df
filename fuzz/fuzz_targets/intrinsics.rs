//! Fuzz target `intrinsics`: see `eventlint::harness::intrinsics`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventlint::harness::intrinsics(data));
