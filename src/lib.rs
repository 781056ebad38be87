//! banana-studio: a terminal studio for iterative image generation with Gemini image models.

pub mod balance;
pub mod bitmap_text;
pub mod blob;
pub mod cli;
pub mod config;
pub mod context;
pub mod conversation;
pub mod cost;
pub mod demo;
pub mod emulator;
pub mod export;
pub mod gemini;
pub mod models;
pub mod preview;
pub mod priority;
pub mod region;
pub mod store;
pub mod terminal_text;
pub mod tui;
pub mod turn;
pub mod variations;
