//! What the user types, as the state understands it: keys to actions, `/commands`, and the
//! bytes typed while the terminal was being asked what it is.

pub mod commands;
pub mod keymap;
pub mod typeahead;
