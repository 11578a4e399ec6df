//! The `eventlint` command: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the analysis allocates many small, short-lived nodes; glibc's allocator was a
/// third of the profile (benches/corpus.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panicking rule is reported as an EL900 finding; keep the default hook's noise off stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = eventlint::cli::Cli::parse();
    // stdout is line-buffered: a report of thousands of lines would be as many write calls
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let result = eventlint::cli::run(cli, &mut out);
    let result = match std::io::Write::flush(&mut out) {
        Ok(()) => result,
        Err(e) => result.and(Err(e.into())),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            #[allow(
                clippy::print_stderr,
                reason = "the binary reports run failures on stderr"
            )]
            {
                eprintln!("eventlint: error: {e}");
            }
            ExitCode::from(2)
        }
    }
}
