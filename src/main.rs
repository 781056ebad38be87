//! The `banana-studio` binary: parses the command line and runs it (see `cli`).

use clap::Parser;

// Large image buffers are allocated and freed on every turn; see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use banana_studio::cli::{self, Cli};

fn main() {
    // mimalloc asks for transparent huge pages, and Linux then hands out memory in 2 MiB
    // steps: the studio at rest held 25.6 MB instead of 10.6 MB, and a plain 4K `send` 3.3x
    // its reply above that (target 3x), for no speed the benchmarks could measure
    // (BENCHMARKS.md). A long-running terminal program should stay small. Best effort.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = Cli::parse();
    if let Err(failure) = cli::run(cli) {
        if !failure.message.is_empty() {
            // Messages quote servers, files and the config: sanitised like every other print.
            banana_studio::errln!("{}", failure.message);
        }
        std::process::exit(failure.code);
    }
    // The reader of stdout went away (`send … | head -1`) after the work was saved: end as a
    // Unix tool killed by SIGPIPE would, quietly.
    if banana_studio::terminal_text::stdout_closed() {
        std::process::exit(141);
    }
}
