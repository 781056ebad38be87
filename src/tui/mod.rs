//! The studio: the interactive terminal UI.

pub mod commands;
pub mod cost;
pub mod event;
pub mod keymap;
pub mod theme;
