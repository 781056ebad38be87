//! Image preview: the one place that knows about pictures on a terminal.
//!
//! `prepare` (pure decode + resize), `cache` (LRU by picture and pane size), `debounce` (pure
//! resize settling).

pub mod cache;
pub mod debounce;
pub mod prepare;
