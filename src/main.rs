use clap::Parser;

// Large image buffers are allocated and freed on every turn; see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use banana_studio::cli::{self, Cli};

fn main() {
    let cli = Cli::parse();
    if let Err(failure) = cli::run(cli) {
        if !failure.message.is_empty() {
            eprintln!("{}", failure.message);
        }
        std::process::exit(failure.code);
    }
}
