use clap::Parser;

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
