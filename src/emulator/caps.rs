//! What the terminal is and what it can draw, from its environment and its replies, and the
//! pure table that turns that into a graphics protocol.
//!
//! Filling [`Capabilities`] is IO (`probe.rs`, `tmux.rs`); [`choose`] is not, so every terminal
//! we know of has a unit test below. Traps this table avoids, from ratatui-image's tracker:
//! kitty placeholders need kitty ≥ 0.28 (ratatui-image #29, #72: Debian 12's kitty 0.26 shows
//! boxes); Konsole and iTerm2 answer the kitty query but do not draw placeholders (#88, #159);
//! WezTerm gets iTerm2 inline images, as yazi does.

use std::fmt;

use ratatui_image::picker::ProtocolType;

use super::choice::ImageProtocol;

/// A terminal emulator we treat specially.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Brand {
    Kitty,
    Ghostty,
    WezTerm,
    Iterm2,
    Konsole,
    Xterm,
    Mlterm,
    Foot,
    /// Named in its XTVERSION reply or environment, with nothing special about it.
    Other(String),
}

impl Brand {
    /// From the leading word of an XTVERSION reply or a `TERM_PROGRAM` value.
    fn from_name(name: &str) -> Brand {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "kitty" | "xterm-kitty" => Brand::Kitty,
            "ghostty" | "xterm-ghostty" => Brand::Ghostty,
            "wezterm" => Brand::WezTerm,
            "iterm2" | "iterm.app" => Brand::Iterm2,
            "konsole" => Brand::Konsole,
            "xterm" => Brand::Xterm,
            "mlterm" => Brand::Mlterm,
            "foot" => Brand::Foot,
            _ => Brand::Other(name.to_string()),
        }
    }
}

impl fmt::Display for Brand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Brand::Kitty => "kitty",
            Brand::Ghostty => "Ghostty",
            Brand::WezTerm => "WezTerm",
            Brand::Iterm2 => "iTerm2",
            Brand::Konsole => "Konsole",
            Brand::Xterm => "xterm",
            Brand::Mlterm => "mlterm",
            Brand::Foot => "foot",
            Brand::Other(name) => name,
        })
    }
}

/// A dotted version; missing parts are 0. `3.3a` is 3.3.0 (the letter is a patch release).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The first run of digits and dots in `text`, if there is one.
    pub fn find(text: &str) -> Option<Version> {
        let start = text.find(|c: char| c.is_ascii_digit())?;
        let run: &str = text[start..]
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()?;
        let mut parts = run.split('.').map(|p| p.parse::<u32>().ok());
        let major = parts.next().flatten()?;
        let minor = parts.next().flatten().unwrap_or(0);
        let patch = parts.next().flatten().unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version(major, 0, 0) => write!(f, "{major}"),
            Version(major, minor, 0) => write!(f, "{major}.{minor}"),
            Version(major, minor, patch) => write!(f, "{major}.{minor}.{patch}"),
        }
    }
}

/// What we know of tmux when the studio runs inside it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tmux {
    pub version: Option<Version>,
    /// The outer terminal's `TERM`, as tmux saw it (`client_termname`).
    pub client_termname: String,
    /// tmux carries sixel to this client (`sixel` in `client_termfeatures`; tmux ≥ 3.4 built
    /// with sixel).
    pub sixel: bool,
}

/// An sRGB colour, 8 bits a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// WCAG relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        fn linear(c: u8) -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// WCAG contrast ratio, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// Everything detection learnt. The outer terminal's answers even inside tmux (the queries go
/// through tmux's passthrough).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Capabilities {
    pub brand: Option<Brand>,
    pub version: Option<Version>,
    /// The kitty graphics query was answered with OK.
    pub kitty_graphics: bool,
    /// DA1 lists attribute 4.
    pub sixel: bool,
    /// Cell size in pixels (`CSI 16 t`, else the kernel's window size).
    pub cell_px: Option<(u16, u16)>,
    /// The largest sixel picture the terminal draws (xterm refuses bigger ones).
    pub sixel_max: Option<(u32, u32)>,
    pub foreground: Option<Rgb>,
    pub background: Option<Rgb>,
    pub tmux: Option<Tmux>,
    /// The terminal answered the final DA1, so every reply it was going to give is in.
    pub answered: bool,
}

/// Reads of the environment that matter, gathered so tests can hand in their own.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub term: Option<String>,
    pub term_program: Option<String>,
    pub term_program_version: Option<String>,
    pub kitty_window_id: bool,
    pub wezterm_executable: bool,
    pub ghostty_resources_dir: bool,
    pub konsole_version: bool,
    pub iterm_session_id: bool,
    pub tmux: bool,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Env {
            term: var("TERM"),
            term_program: var("TERM_PROGRAM"),
            term_program_version: var("TERM_PROGRAM_VERSION"),
            kitty_window_id: var("KITTY_WINDOW_ID").is_some(),
            wezterm_executable: var("WEZTERM_EXECUTABLE").is_some(),
            ghostty_resources_dir: var("GHOSTTY_RESOURCES_DIR").is_some(),
            konsole_version: var("KONSOLE_VERSION").is_some(),
            iterm_session_id: var("ITERM_SESSION_ID").is_some() || var("LC_TERMINAL").is_some(),
            tmux: var("TMUX").is_some()
                || var("TERM").is_some_and(|t| t.starts_with("tmux"))
                || var("TERM_PROGRAM").is_some_and(|t| t == "tmux"),
        }
    }

    /// The terminal the environment names. Inside tmux the variables may belong to another
    /// client (tmux keeps the environment of the session's first one), so only `client_termname`
    /// counts there.
    pub fn brand(&self, tmux: Option<&Tmux>) -> Option<Brand> {
        if let Some(tmux) = tmux {
            let name = tmux.client_termname.as_str();
            return match name {
                "xterm-kitty" => Some(Brand::Kitty),
                "xterm-ghostty" => Some(Brand::Ghostty),
                "wezterm" => Some(Brand::WezTerm),
                "mlterm" => Some(Brand::Mlterm),
                _ => None,
            };
        }
        if self.kitty_window_id || self.term.as_deref() == Some("xterm-kitty") {
            return Some(Brand::Kitty);
        }
        if self.ghostty_resources_dir || self.term.as_deref() == Some("xterm-ghostty") {
            return Some(Brand::Ghostty);
        }
        if self.wezterm_executable {
            return Some(Brand::WezTerm);
        }
        if self.konsole_version {
            return Some(Brand::Konsole);
        }
        if self.iterm_session_id {
            return Some(Brand::Iterm2);
        }
        if let Some(program) = &self.term_program {
            return Some(Brand::from_name(program));
        }
        match self.term.as_deref() {
            Some("mlterm") => Some(Brand::Mlterm),
            Some("foot") | Some("foot-extra") => Some(Brand::Foot),
            _ => None,
        }
    }
}

impl Capabilities {
    /// Starts from the environment; replies are folded in with [`Capabilities::apply`].
    pub fn from_env(env: &Env, tmux: Option<Tmux>) -> Capabilities {
        let brand = env.brand(tmux.as_ref());
        let version = match (&brand, tmux.is_none()) {
            // TERM_PROGRAM_VERSION belongs to TERM_PROGRAM's terminal, and only outside tmux.
            (Some(b), true)
                if env.term_program.as_deref().map(Brand::from_name) == Some(b.clone()) =>
            {
                env.term_program_version.as_deref().and_then(Version::find)
            }
            _ => None,
        };
        Capabilities {
            brand,
            version,
            tmux,
            ..Capabilities::default()
        }
    }

    pub fn apply(&mut self, reply: Reply) {
        match reply {
            Reply::Version(text) => {
                let name = text.split(['(', ' ', '-']).next().unwrap_or("");
                // tmux answers for itself when a query was not passed through; the outer
                // terminal is what we want here.
                if !name.is_empty() && !name.eq_ignore_ascii_case("tmux") {
                    self.brand = Some(Brand::from_name(name));
                    self.version = Version::find(&text[name.len()..]);
                }
            }
            Reply::KittyGraphics(ok) => self.kitty_graphics = ok,
            Reply::DeviceAttributes(attributes) => {
                self.sixel = attributes.contains(&4);
                self.answered = true;
            }
            Reply::CellSize(width, height) if width > 0 && height > 0 => {
                self.cell_px = Some((width, height));
            }
            Reply::CellSize(..) => {}
            Reply::SixelMax(width, height) => {
                self.sixel_max = Some((u32::from(width), u32::from(height)));
            }
            Reply::Foreground(colour) => self.foreground = Some(colour),
            Reply::Background(colour) => self.background = Some(colour),
        }
    }

    /// Whether the terminal's background is lighter than its text. Compares the two, as
    /// terminal-colorsaurus does; with only the background, judges its luminance alone.
    pub fn light_background(&self) -> Option<bool> {
        let background = self.background?;
        Some(match self.foreground {
            Some(foreground) => background.luminance() > foreground.luminance(),
            None => background.luminance() > 0.5,
        })
    }

    /// "kitty 0.26.5", "xterm 390.0.0", or what is known.
    fn terminal_name(&self) -> String {
        match (&self.brand, self.version) {
            (Some(brand), Some(version)) => format!("{brand} {version}"),
            (Some(brand), None) => brand.to_string(),
            (None, _) => "this terminal".into(),
        }
    }
}

/// A terminal's answer to one of the start-up queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// XTVERSION: `kitty(0.26.5)`, `XTerm(390)`, `tmux 3.3a`, `WezTerm 20240203-…`.
    Version(String),
    /// The kitty graphics query: OK or an error.
    KittyGraphics(bool),
    /// DA1's attributes.
    DeviceAttributes(Vec<u16>),
    /// `CSI 16 t`: cell width and height in pixels.
    CellSize(u16, u16),
    /// XTSMGRAPHICS: the largest sixel picture, in pixels.
    SixelMax(u16, u16),
    Foreground(Rgb),
    Background(Rgb),
}

/// The protocol to draw with and why, for the pane's dim line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub protocol: ProtocolType,
    pub why: String,
}

impl Choice {
    fn new(protocol: ProtocolType, why: impl Into<String>) -> Choice {
        Choice {
            protocol,
            why: why.into(),
        }
    }
}

/// The first kitty with Unicode placeholders, which ratatui-image's kitty protocol draws with.
const KITTY_PLACEHOLDERS: Version = Version(0, 28, 0);

/// Picks the protocol: the user's choice when they made one, else by terminal and version.
/// Halfblocks whenever nothing proves a better protocol works.
pub fn choose(caps: &Capabilities, user: ImageProtocol) -> Choice {
    use ProtocolType::{Halfblocks, Iterm2, Kitty, Sixel};
    let name = caps.terminal_name();
    if let Some(protocol) = user.forced() {
        return Choice::new(protocol, "as configured");
    }
    // Inside tmux, sixel must be carried by tmux itself: passed through, tmux would draw over
    // it and never clear it.
    let sixel_ok = caps.sixel
        && match &caps.tmux {
            Some(tmux) => tmux.sixel,
            None => true,
        };
    let sixel_or = |fallback: &str| {
        if sixel_ok {
            Choice::new(Sixel, name.clone())
        } else if caps.sixel {
            let tmux = caps
                .tmux
                .as_ref()
                .and_then(|t| t.version)
                .map(|v| format!("tmux {v}"))
                .unwrap_or_else(|| "tmux".into());
            Choice::new(Halfblocks, format!("{tmux} does not carry sixel"))
        } else {
            Choice::new(Halfblocks, fallback.to_string())
        }
    };
    match &caps.brand {
        Some(Brand::Kitty) => match caps.version {
            Some(v) if v >= KITTY_PLACEHOLDERS => Choice::new(Kitty, name),
            Some(_) => Choice::new(
                Halfblocks,
                format!("{name} predates image placeholders (kitty 0.28)"),
            ),
            None => Choice::new(Halfblocks, "kitty did not say its version"),
        },
        Some(Brand::Ghostty) => Choice::new(Kitty, name),
        Some(Brand::WezTerm) | Some(Brand::Iterm2) => Choice::new(Iterm2, name),
        Some(Brand::Konsole) => sixel_or(&format!("{name} draws no placeholders")),
        _ if !caps.answered && caps.brand.is_none() => {
            Choice::new(Halfblocks, "the terminal did not answer")
        }
        _ => sixel_or(&format!("{name} has no sixel")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replies(caps: &mut Capabilities, replies: impl IntoIterator<Item = Reply>) {
        for reply in replies {
            caps.apply(reply);
        }
    }

    fn terminal(version: &str, da1: &[u16], kitty_ok: bool) -> Capabilities {
        let mut caps = Capabilities::default();
        replies(
            &mut caps,
            [
                Reply::Version(version.into()),
                Reply::KittyGraphics(kitty_ok),
                Reply::DeviceAttributes(da1.to_vec()),
            ],
        );
        caps
    }

    fn auto(caps: &Capabilities) -> ProtocolType {
        choose(caps, ImageProtocol::Auto).protocol
    }

    #[test]
    fn versions_are_read_from_replies_and_compared_numerically() {
        assert_eq!(Version::find("kitty(0.26.5)"), Some(Version(0, 26, 5)));
        assert_eq!(Version::find("XTerm(390)"), Some(Version(390, 0, 0)));
        assert_eq!(Version::find("tmux 3.3a"), Some(Version(3, 3, 0)));
        assert_eq!(Version::find("no digits"), None);
        assert!(Version(0, 28, 0) > Version(0, 9, 99));
        assert!(Version(0, 35, 2) >= KITTY_PLACEHOLDERS);
    }

    #[test]
    fn kitty_before_0_28_gets_halfblocks_not_placeholder_boxes() {
        let caps = terminal("kitty(0.26.5)", &[62, 22], true);
        let choice = choose(&caps, ImageProtocol::Auto);
        assert_eq!(choice.protocol, ProtocolType::Halfblocks);
        assert_eq!(
            choice.why,
            "kitty 0.26.5 predates image placeholders (kitty 0.28)"
        );
    }

    #[test]
    fn kitty_0_28_and_later_gets_kitty() {
        assert_eq!(
            auto(&terminal("kitty(0.28.0)", &[62, 22], true)),
            ProtocolType::Kitty
        );
        assert_eq!(
            auto(&terminal("kitty(0.39.1)", &[62, 22], true)),
            ProtocolType::Kitty
        );
    }

    #[test]
    fn kitty_known_only_from_the_environment_without_a_version_gets_halfblocks() {
        let env = Env {
            kitty_window_id: true,
            ..Env::default()
        };
        let mut caps = Capabilities::from_env(&env, None);
        caps.apply(Reply::DeviceAttributes(vec![62]));
        assert_eq!(caps.brand, Some(Brand::Kitty));
        assert_eq!(auto(&caps), ProtocolType::Halfblocks);
    }

    #[test]
    fn ghostty_gets_kitty() {
        assert_eq!(
            auto(&terminal("ghostty 1.1.0", &[62, 22], true)),
            ProtocolType::Kitty
        );
    }

    #[test]
    fn wezterm_and_iterm2_get_iterm2_inline_images_even_with_kitty_and_sixel() {
        assert_eq!(
            auto(&terminal(
                "WezTerm 20240203-110809-5046fc22",
                &[65, 4],
                true
            )),
            ProtocolType::Iterm2
        );
        assert_eq!(
            auto(&terminal("iTerm2 3.5.4", &[62, 4], true)),
            ProtocolType::Iterm2
        );
        let env = Env {
            term_program: Some("iTerm.app".into()),
            ..Env::default()
        };
        assert_eq!(
            auto(&Capabilities::from_env(&env, None)),
            ProtocolType::Iterm2
        );
    }

    #[test]
    fn konsole_gets_sixel_not_its_kitty() {
        assert_eq!(
            auto(&terminal("Konsole 24.12.3", &[62, 4], true)),
            ProtocolType::Sixel
        );
    }

    #[test]
    fn xterm_vt340_and_mlterm_get_sixel() {
        let xterm = terminal("XTerm(379)", &[63, 1, 2, 4, 6, 9, 15, 22], false);
        assert_eq!(auto(&xterm), ProtocolType::Sixel);
        assert_eq!(choose(&xterm, ImageProtocol::Auto).why, "xterm 379");
        assert_eq!(
            auto(&terminal("mlterm(3.9.3)", &[63, 1, 2, 3, 4, 7, 29], false)),
            ProtocolType::Sixel
        );
    }

    #[test]
    fn plain_xterm_without_sixel_gets_halfblocks() {
        let caps = terminal("XTerm(379)", &[65, 1, 2, 6, 9, 15, 22], false);
        let choice = choose(&caps, ImageProtocol::Auto);
        assert_eq!(choice.protocol, ProtocolType::Halfblocks);
        assert_eq!(choice.why, "xterm 379 has no sixel");
    }

    #[test]
    fn an_unknown_terminal_answering_the_kitty_query_still_gets_halfblocks() {
        // An OK alone does not prove placeholders work (Konsole, iTerm2 answer OK too).
        assert_eq!(
            auto(&terminal("", &[62, 22], true)),
            ProtocolType::Halfblocks
        );
    }

    #[test]
    fn a_terminal_that_never_answers_gets_halfblocks() {
        let choice = choose(&Capabilities::default(), ImageProtocol::Auto);
        assert_eq!(choice.protocol, ProtocolType::Halfblocks);
        assert_eq!(choice.why, "the terminal did not answer");
    }

    #[test]
    fn tmux_without_sixel_inside_a_sixel_terminal_gets_halfblocks() {
        let tmux = Tmux {
            version: Some(Version(3, 3, 0)),
            client_termname: "xterm".into(),
            sixel: false,
        };
        let mut caps = Capabilities::from_env(
            &Env {
                tmux: true,
                ..Env::default()
            },
            Some(tmux),
        );
        replies(
            &mut caps,
            [
                Reply::Version("XTerm(379)".into()),
                Reply::DeviceAttributes(vec![63, 1, 2, 4, 6]),
            ],
        );
        let choice = choose(&caps, ImageProtocol::Auto);
        assert_eq!(choice.protocol, ProtocolType::Halfblocks);
        assert_eq!(choice.why, "tmux 3.3 does not carry sixel");
    }

    #[test]
    fn tmux_with_sixel_inside_a_sixel_terminal_gets_sixel() {
        let tmux = Tmux {
            version: Some(Version(3, 4, 0)),
            client_termname: "xterm".into(),
            sixel: true,
        };
        let mut caps = Capabilities::from_env(&Env::default(), Some(tmux));
        caps.apply(Reply::DeviceAttributes(vec![63, 4]));
        assert_eq!(auto(&caps), ProtocolType::Sixel);
    }

    #[test]
    fn tmux_inside_a_new_kitty_gets_kitty_placeholders() {
        let tmux = Tmux {
            version: Some(Version(3, 3, 0)),
            client_termname: "xterm-kitty".into(),
            sixel: false,
        };
        let mut caps = Capabilities::from_env(&Env::default(), Some(tmux));
        // tmux's own XTVERSION answer does not replace the outer terminal.
        caps.apply(Reply::Version("tmux 3.3a".into()));
        assert_eq!(caps.brand, Some(Brand::Kitty));
        caps.apply(Reply::Version("kitty(0.35.2)".into()));
        caps.apply(Reply::DeviceAttributes(vec![62]));
        assert_eq!(auto(&caps), ProtocolType::Kitty);
    }

    #[test]
    fn stale_kitty_variables_inside_tmux_are_ignored() {
        let env = Env {
            kitty_window_id: true,
            tmux: true,
            ..Env::default()
        };
        let tmux = Tmux {
            version: Some(Version(3, 3, 0)),
            client_termname: "xterm-256color".into(),
            sixel: false,
        };
        let caps = Capabilities::from_env(&env, Some(tmux));
        assert_eq!(caps.brand, None);
    }

    #[test]
    fn the_users_choice_overrides_detection() {
        let caps = terminal("kitty(0.26.5)", &[62], true);
        let choice = choose(&caps, ImageProtocol::Kitty);
        assert_eq!(choice.protocol, ProtocolType::Kitty);
        assert_eq!(choice.why, "as configured");
        assert_eq!(
            choose(&caps, ImageProtocol::Halfblocks).protocol,
            ProtocolType::Halfblocks
        );
    }

    #[test]
    fn light_and_dark_backgrounds_are_told_apart() {
        let mut caps = Capabilities::default();
        assert_eq!(caps.light_background(), None);
        caps.apply(Reply::Background(Rgb(255, 255, 255)));
        assert_eq!(caps.light_background(), Some(true));
        caps.apply(Reply::Foreground(Rgb(0, 0, 0)));
        assert_eq!(caps.light_background(), Some(true));
        caps.apply(Reply::Background(Rgb(30, 30, 30)));
        caps.apply(Reply::Foreground(Rgb(220, 220, 220)));
        assert_eq!(caps.light_background(), Some(false));
    }

    #[test]
    fn contrast_ratios_match_the_wcag_examples() {
        assert!((Rgb(0, 0, 0).contrast(Rgb(255, 255, 255)) - 21.0).abs() < 1e-9);
        assert!((Rgb(119, 119, 119).contrast(Rgb(255, 255, 255)) - 4.48).abs() < 0.01);
    }
}
