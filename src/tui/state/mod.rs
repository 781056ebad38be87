//! The studio's state and its pure `update`: events in, effects out, no IO and no clock.

pub mod app;
pub mod apply_command;
pub mod compose;
pub mod event;
pub mod followups;
pub mod fullview;
pub mod fullview_keys;
pub mod grid;
pub mod images;
pub mod jobs;
pub mod layout;
pub mod lifecycle;
pub mod overlay_keys;
pub mod overlays;
pub mod panes;
pub mod path_prompt;
pub mod pickers;
pub mod quitting;
pub mod region;
pub mod selection;
pub mod tree;
pub mod update;
pub mod variations;
