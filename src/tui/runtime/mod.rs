//! The runtime: the event loop that feeds `update`, runs its effects and draws.

pub mod driver;
mod terminal_out;
