//! `/commands` typed in the prompt editor, parsed into something `update` can act on, with a
//! sentence explaining every mistake. Parsing is pure and checks what can be checked without
//! the conversation (sizes, ratios are checked against the model when applied).

use crate::conversation::settings::{ImageSize, ThinkingLevel};
use crate::export::{Format, PathChoice};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `None`: let the model choose.
    Aspect(Option<String>),
    Size(Option<ImageSize>),
    Search(bool),
    /// Image search on or off (implies search).
    ImageSearch(bool),
    /// Whether a region edit keeps the picture outside its region.
    KeepOutside(bool),
    /// Which endpoint carries the next turns; `None`: say which does.
    Transport(Option<crate::gemini::Transport>),
    /// `None`: the model's default.
    Thinking(Option<ThinkingLevel>),
    /// `None`: open the model picker.
    Model(Option<String>),
    /// Switch this session to the catalog's replacement of the model that failed, and send
    /// the prompt again.
    UseReplacement,
    /// `Some(None)`: clear; `None`: show the current one.
    System(Option<Option<String>>),
    Attach(Option<String>),
    Detach(Option<usize>),
    New,
    Open(Option<String>),
    Save(Option<String>),
    Fresh,
    /// Send the selected prompt again this many times at once (`None`: the default count).
    Vary(Option<u8>),
    Theme(String),
    /// Write the saved session to a file in the current folder.
    Export(Format, PathChoice),
    Help,
    Demo,
    Quit,
}

/// How many variations `/vary` sends at once.
pub use crate::config::{MAX_VARIATIONS, MIN_VARIATIONS};

/// The commands, for `/help` and error messages.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "/aspect RATIO|auto",
        "Aspect ratio of the next image, e.g. /aspect 16:9",
    ),
    (
        "/size 512|1K|2K|4K|auto",
        "Image size, as the model takes (512 on 3.1 Flash)",
    ),
    (
        "/search on|off",
        "Ground the next image in Google Search results",
    ),
    (
        "/imagesearch on|off",
        "Ground in Google image search too (models that offer it)",
    ),
    (
        "/keep-outside on|off",
        "A region edit keeps the rest of the picture exactly (on) or shows the model's",
    ),
    (
        "/transport [generate-content|interactions]",
        "Send the whole history each turn, or (Google) only the prompt, the server keeping the rest",
    ),
    (
        "/thinking minimal|low|medium|high|auto",
        "How hard the model thinks, as the model takes",
    ),
    (
        "/model [NAME]",
        "Model for the next prompt; without a name, the picker with prices",
    ),
    (
        "/replacement",
        "After a retired model's 404: switch to its replacement and resend",
    ),
    (
        "/system [TEXT|off]",
        "System instruction for the next prompts",
    ),
    (
        "/attach [PATH]",
        "Attach an image; without a path, open the path prompt",
    ),
    ("/detach [N]", "Detach attachment N (default: the last)"),
    ("/new", "Start a new, empty session"),
    (
        "/open [NAME]",
        "Open another session; without a name, the picker",
    ),
    ("/save [PATH]", "Save the selected image to PATH"),
    (
        "/fresh",
        "New session starting from the selected image (when history nears the size limit)",
    ),
    (
        "/vary [N]",
        "Send the selected prompt N times at once (2 to 8, default 4) and compare the replies in a grid",
    ),
    (
        "/theme NAME",
        "dark, light, high-contrast, or one of your theme files",
    ),
    (
        "/export [html|md|sheet|anim] [all]",
        "Export the saved session to share it, here (all: every branch); Ctrl-Y copies the path",
    ),
    ("/demo", "Switch to the offline demo model"),
    ("/help", "Show keys and commands"),
    ("/quit", "Quit (the session is saved)"),
];

/// Whether the editor text is a command rather than a prompt. `//` escapes a prompt that
/// starts with a slash.
pub fn is_command(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with('/') && !text.starts_with("//")
}

/// A prompt written as `//...` is sent as `/...`.
pub fn unescape_prompt(text: &str) -> String {
    let trimmed = text.trim_start();
    match trimmed.strip_prefix("//") {
        Some(rest) => format!("/{rest}"),
        None => text.to_string(),
    }
}

pub fn parse(text: &str) -> Result<Command, String> {
    let text = text.trim();
    let body = text.strip_prefix('/').unwrap_or(text);
    let (name, arg) = match body.split_once(char::is_whitespace) {
        Some((name, arg)) => (name, arg.trim()),
        None => (body, ""),
    };
    let arg_opt = (!arg.is_empty()).then(|| arg.to_string());
    let name = name.to_ascii_lowercase();
    let no_argument = |command: Command| -> Result<Command, String> {
        if arg.is_empty() {
            Ok(command)
        } else {
            Err(format!("/{name} takes no argument (got {arg:?})."))
        }
    };
    match name.as_str() {
        "aspect" | "ar" => match arg {
            "" => Err("/aspect needs a ratio, e.g. /aspect 16:9 (or /aspect auto).".into()),
            "auto" | "none" | "off" => Ok(Command::Aspect(None)),
            ratio if looks_like_ratio(ratio) => Ok(Command::Aspect(Some(ratio.to_string()))),
            other => Err(format!(
                "{other:?} is not an aspect ratio: write it as W:H, e.g. 16:9, 1:1, 9:16 (or auto)."
            )),
        },
        "size" => match arg {
            "" => Err("/size needs 512, 1K, 2K or 4K (or auto).".into()),
            "auto" | "none" | "off" => Ok(Command::Size(None)),
            size => size
                .parse::<ImageSize>()
                .map(|s| Command::Size(Some(s)))
                .map_err(|e| e.to_string()),
        },
        "search" | "grounding" => on_off("search", arg).map(Command::Search),
        "imagesearch" | "image-search" => on_off("imagesearch", arg).map(Command::ImageSearch),
        "keep-outside" | "keepoutside" => on_off("keep-outside", arg).map(Command::KeepOutside),
        "transport" => match arg {
            "" => Ok(Command::Transport(None)),
            name => name
                .to_ascii_lowercase()
                .parse()
                .map(|t| Command::Transport(Some(t))),
        },
        "thinking" | "think" => match arg.to_ascii_lowercase().as_str() {
            "" => Err("/thinking needs minimal, low, medium or high (or auto).".into()),
            "auto" | "default" | "off" => Ok(Command::Thinking(None)),
            level => level
                .parse::<ThinkingLevel>()
                .map(|l| Command::Thinking(Some(l)))
                .map_err(|e| e.to_string()),
        },
        "model" => Ok(Command::Model(arg_opt)),
        "replacement" | "replace" => no_argument(Command::UseReplacement),
        "system" => Ok(Command::System(match arg {
            "" => None,
            "off" | "none" | "clear" => Some(None),
            text => Some(Some(text.to_string())),
        })),
        "attach" | "a" => Ok(Command::Attach(arg_opt)),
        "detach" => match arg {
            "" => Ok(Command::Detach(None)),
            n => match n.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(Command::Detach(Some(n))),
                _ => Err(format!(
                    "/detach takes the number of an attachment as listed above the prompt (1, 2, ...), not {n:?}."
                )),
            },
        },
        "new" => no_argument(Command::New),
        "open" | "session" | "sessions" => Ok(Command::Open(arg_opt)),
        "save" | "write" => Ok(Command::Save(arg_opt)),
        "fresh" => no_argument(Command::Fresh),
        "vary" | "variations" => match arg {
            "" => Ok(Command::Vary(None)),
            n => match n.parse::<u8>() {
                Ok(n) if (MIN_VARIATIONS..=MAX_VARIATIONS).contains(&n) => Ok(Command::Vary(Some(n))),
                _ => Err(format!(
                    "/vary takes how many variations to send, {MIN_VARIATIONS} to {MAX_VARIATIONS}, not {n:?}."
                )),
            },
        },
        "theme" => match arg_opt {
            Some(theme) => Ok(Command::Theme(theme)),
            None => Err("/theme needs a name: dark, light, high-contrast, or one of your theme files.".into()),
        },
        "export" | "share" => parse_export(arg),
        "help" | "h" | "?" | "keys" => Ok(Command::Help),
        "demo" => no_argument(Command::Demo),
        "quit" | "q" | "exit" => no_argument(Command::Quit),
        "" => Err("Type a command after the slash, e.g. /help. (Start a prompt with // to send a literal slash.)".into()),
        other => Err(format!(
            "Unknown command /{other}{}. Commands: {}. (Start a prompt with // to send a literal slash.)",
            suggestion(other).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default(),
            COMMANDS
                .iter()
                .map(|(usage, _)| usage.split(' ').next().unwrap_or(usage))
                .collect::<Vec<_>>()
                .join(" ")
        )),
    }
}

/// `/export [html|md|sheet|anim] [all|active]`, in any order.
fn parse_export(arg: &str) -> Result<Command, String> {
    let (mut format, mut path) = (Format::Html, PathChoice::Active);
    for word in arg.split_whitespace() {
        match word.to_ascii_lowercase().as_str() {
            "html" | "page" | "web" => format = Format::Html,
            "md" | "markdown" => format = Format::Markdown,
            "sheet" | "png" => format = Format::Sheet,
            "anim" | "gif" => format = Format::Anim,
            "all" => path = PathChoice::All,
            "active" => path = PathChoice::Active,
            other => {
                return Err(format!(
                    "/export takes a format (html, md, sheet or anim) and optionally all, not {other:?}."
                ));
            }
        }
    }
    Ok(Command::Export(format, path))
}

fn looks_like_ratio(text: &str) -> bool {
    match text.split_once(':') {
        Some((w, h)) => {
            !w.is_empty()
                && !h.is_empty()
                && w.chars().all(|c| c.is_ascii_digit())
                && h.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The command that starts like `typed` (for typos such as /asp or /siz).
fn suggestion(typed: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .map(|(usage, _)| usage.split(' ').next().unwrap_or(usage))
        .find(|name| {
            let name = &name[1..];
            (typed.len() >= 2 && name.starts_with(typed))
                || (name.len() >= 3 && typed.starts_with(name))
        })
}

/// `/name on|off` (or yes/no, true/false, 1/0).
fn on_off(name: &str, arg: &str) -> Result<bool, String> {
    match arg.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" | "1" => Ok(true),
        "off" | "no" | "false" | "0" => Ok(false),
        "" => Err(format!("/{name} needs on or off.")),
        other => Err(format!("/{name} takes on or off, not {other:?}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_commands_parse() {
        assert_eq!(
            parse("/aspect 16:9"),
            Ok(Command::Aspect(Some("16:9".into())))
        );
        assert_eq!(parse("/aspect auto"), Ok(Command::Aspect(None)));
        assert_eq!(parse("/size 4K"), Ok(Command::Size(Some(ImageSize::K4))));
        assert_eq!(parse("/size auto"), Ok(Command::Size(None)));
        assert_eq!(parse("/search on"), Ok(Command::Search(true)));
        assert_eq!(parse("/SEARCH off"), Ok(Command::Search(false)));
        assert_eq!(
            parse("/model gemini-2.5-flash-image"),
            Ok(Command::Model(Some("gemini-2.5-flash-image".into())))
        );
        assert_eq!(parse("/model"), Ok(Command::Model(None)));
        assert_eq!(
            parse("/thinking HIGH"),
            Ok(Command::Thinking(Some(ThinkingLevel::High)))
        );
        assert!(parse("/thinking extreme").is_err());
        assert_eq!(
            parse("/size 512"),
            Ok(Command::Size(Some(ImageSize::Px512)))
        );
        assert!(parse("/size 512px").is_err());
        assert_eq!(parse("/imagesearch on"), Ok(Command::ImageSearch(true)));
        assert_eq!(
            parse("/transport interactions"),
            Ok(Command::Transport(Some(
                crate::gemini::Transport::Interactions
            )))
        );
        assert_eq!(parse("/transport"), Ok(Command::Transport(None)));
        assert!(
            parse("/transport grpc")
                .unwrap_err()
                .contains("generate-content")
        );
        assert_eq!(
            parse("/system  Draw in pastel colours "),
            Ok(Command::System(Some(Some("Draw in pastel colours".into()))))
        );
        assert_eq!(parse("/system off"), Ok(Command::System(Some(None))));
        assert_eq!(parse("/system"), Ok(Command::System(None)));
    }

    #[test]
    fn export_takes_a_format_and_a_path_in_any_order() {
        assert_eq!(
            parse("/export"),
            Ok(Command::Export(Format::Html, PathChoice::Active))
        );
        assert_eq!(
            parse("/export all md"),
            Ok(Command::Export(Format::Markdown, PathChoice::All))
        );
        assert_eq!(
            parse("/export GIF"),
            Ok(Command::Export(Format::Anim, PathChoice::Active))
        );
        let error = parse("/export pdf").unwrap_err();
        assert!(error.contains("html, md, sheet or anim"), "{error}");
    }

    #[test]
    fn session_and_file_commands_parse() {
        assert_eq!(
            parse("/attach ~/a b.png"),
            Ok(Command::Attach(Some("~/a b.png".into())))
        );
        assert_eq!(parse("/attach"), Ok(Command::Attach(None)));
        assert_eq!(parse("/detach 2"), Ok(Command::Detach(Some(2))));
        assert_eq!(parse("/detach"), Ok(Command::Detach(None)));
        assert_eq!(parse("/new"), Ok(Command::New));
        assert_eq!(
            parse("/open old-one"),
            Ok(Command::Open(Some("old-one".into())))
        );
        assert_eq!(parse("/open"), Ok(Command::Open(None)));
        assert_eq!(
            parse("/save /tmp/x.png"),
            Ok(Command::Save(Some("/tmp/x.png".into())))
        );
        assert_eq!(parse("/fresh"), Ok(Command::Fresh));
        assert_eq!(parse("/vary"), Ok(Command::Vary(None)));
        assert_eq!(parse("/vary 6"), Ok(Command::Vary(Some(6))));
        for bad in ["/vary 1", "/vary 9", "/vary many"] {
            assert!(parse(bad).unwrap_err().contains("2 to 8"), "{bad}");
        }
        assert_eq!(parse("/theme light"), Ok(Command::Theme("light".into())));
        assert_eq!(parse("/help"), Ok(Command::Help));
        assert_eq!(parse("/quit"), Ok(Command::Quit));
    }

    #[test]
    fn mistakes_are_explained() {
        assert_eq!(parse("/size 4k"), Ok(Command::Size(Some(ImageSize::K4))));
        let error = parse("/size 3K").unwrap_err();
        assert!(error.contains("use 512, 1K, 2K or 4K"), "{error}");
        let error = parse("/aspect wide").unwrap_err();
        assert!(error.contains("W:H"), "{error}");
        let error = parse("/search maybe").unwrap_err();
        assert!(error.contains("on or off"), "{error}");
        let error = parse("/detach zero").unwrap_err();
        assert!(error.contains("number"), "{error}");
        let error = parse("/detach 0").unwrap_err();
        assert!(error.contains("number"), "{error}");
        let error = parse("/asp 16:9").unwrap_err();
        assert!(error.contains("did you mean /aspect"), "{error}");
        let error = parse("/frobnicate").unwrap_err();
        assert!(
            error.contains("Unknown command /frobnicate") && error.contains("/fresh"),
            "{error}"
        );
        assert!(parse("/new now").unwrap_err().contains("no argument"));
        assert!(parse("/theme").unwrap_err().contains("high-contrast"));
        assert!(parse("/").is_err());
    }

    #[test]
    fn double_slash_escapes_a_prompt() {
        assert!(is_command("/size 2K"));
        assert!(is_command("  /help"));
        assert!(!is_command("//etc is a folder"));
        assert!(!is_command("a banana"));
        assert_eq!(unescape_prompt("//etc is a folder"), "/etc is a folder");
        assert_eq!(unescape_prompt("plain"), "plain");
    }
}
