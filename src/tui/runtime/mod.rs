//! The runtime: the event loop that feeds `update`, runs its effects and draws.
//!
//! - [`driver`]: start-up, the one event channel and the loop that draws only when needed;
//! - `effects`: what is done for each effect `update` returns;
//! - `terminal`, `terminal_out`: the terminal held and restored, frames written off the loop;
//! - `editor`, `files`, `signals`, `loop_stats`: `$EDITOR`, file work, signals, timing.

pub mod driver;
mod editor;
mod effects;
mod files;
mod loop_stats;
mod signals;
mod terminal;
mod terminal_out;
