//! The terminal while the studio holds it: raw mode and the alternate screen entered and left
//! exactly once, a panic hook that restores them before the message, and handing the terminal
//! to another program (`$EDITOR`) and taking it back.

use std::io;
use std::sync::{Mutex, PoisonError};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, EventStream};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::tui::runtime::terminal_out::TerminalOut;

pub(super) type Backend = CrosstermBackend<TerminalOut>;

/// Restores the terminal when dropped: on quit, on error, and while unwinding from a panic.
pub(super) struct TerminalGuard;

impl TerminalGuard {
    pub(super) fn enter() -> io::Result<Self> {
        enable_raw_mode()?;
        let guard = Self;
        enter_screen()?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
        crate::emulator::restore_terminal_options();
    }
}

/// Whether the studio's screen is up; restoring twice would move the cursor back to where
/// the studio started (that is what leaving the alternate screen does) and garble what was
/// printed in between, such as a panic message. Held by whoever writes to the terminal, so
/// nothing lands inside a frame [`TerminalOut`] is writing.
static SCREEN: Mutex<bool> = Mutex::new(false);

pub(super) fn screen() -> std::sync::MutexGuard<'static, bool> {
    SCREEN.lock().unwrap_or_else(PoisonError::into_inner)
}

fn enter_screen() -> io::Result<()> {
    let mut up = screen();
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    *up = true;
    Ok(())
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let mut up = screen();
    if std::mem::replace(&mut *up, false) {
        let _ = execute!(
            io::stdout(),
            DisableBracketedPaste,
            LeaveAlternateScreen,
            cursor::Show
        );
    }
}

/// A terminal whose frames are written by a thread of their own (see [`TerminalOut`]).
pub(super) fn studio_terminal() -> io::Result<Terminal<Backend>> {
    Terminal::new(CrosstermBackend::new(TerminalOut::spawn(
        io::stdout(),
        &SCREEN,
    )?))
}

/// Makes a panic leave a usable terminal before the message is printed.
pub(super) fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        crate::emulator::restore_terminal_options();
        previous(info);
    }));
}

/// Hands the terminal to something else (an editor, the full-screen view): the studio's
/// reader is replaced so it cannot steal keys, and the screen is restored.
pub(super) fn suspend(terminal_events: &mut EventStream) {
    *terminal_events = EventStream::new();
    restore_terminal();
}

/// Takes the terminal back after [`suspend`].
pub(super) fn resume(terminal: &mut Terminal<Backend>) {
    let _ = enable_raw_mode();
    let _ = enter_screen();
    // A fresh terminal has no memory of the old screen, so the next draw repaints all of it.
    // (`Terminal::clear` would ask the terminal for the cursor position first, which can
    // time out right after another program had the terminal.)
    if let Ok(fresh) = studio_terminal() {
        *terminal = fresh;
    }
}
