//! Times our decode of a response body file, as the Python SDK comparison does
//! (scripts/bench-python-sdk.sh). Prints the median of the runs in milliseconds.

use std::time::Instant;

use banana_studio::conversation::ReplyBuilder;
use banana_studio::gemini::wire::GenerateContentResponse;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: decode_body FILE [RUNS]")?;
    let runs: usize = std::env::args()
        .nth(2)
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(15);
    let body = std::fs::read(path)?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let mut builder = ReplyBuilder::new();
        builder.absorb(GenerateContentResponse::from_slice(&body)?)?;
        let turn = builder.finish(0)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(turn.images().next().map(|b| b.size()), Some(8_000_000));
    }
    times.sort_by(f64::total_cmp);
    println!("{:.2}", times[times.len() / 2]);
    Ok(())
}
