//! Colour themes: TOML files with named colours. Three are built in (`themes/*.toml`, embedded
//! in the binary); more can be dropped into `<config dir>/banana-studio/themes/NAME.toml`. A
//! user theme may set only some colours and take the rest from the theme it `extends`
//! (`dark` unless it says otherwise).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The built-in themes, name and file text.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

pub const DEFAULT_THEME: &str = "dark";

/// Resolved colours, ready to draw with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub fg: Color,
    pub bg: Color,
    pub muted: Color,
    pub accent: Color,
    pub border: Color,
    pub border_focused: Color,
    pub selection_fg: Color,
    pub selection_bg: Color,
    pub user: Color,
    pub model: Color,
    pub thought: Color,
    pub error: Color,
    pub warning: Color,
    pub success: Color,
    pub link: Color,
    pub status_fg: Color,
    pub status_bg: Color,
    pub key: Color,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    extends: Option<String>,
    #[serde(default)]
    colors: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThemeError {
    #[error("No theme named {name:?}. Built in: dark, light, high-contrast{}; or put {name}.toml in {}.", if .user.is_empty() { String::new() } else { format!("; yours: {}", .user.join(", ")) }, .dir.display())]
    Unknown {
        name: String,
        user: Vec<String>,
        dir: PathBuf,
    },
    #[error("Theme {}: {detail}", .path.display())]
    Invalid { path: PathBuf, detail: String },
    #[error("Theme name {0:?} is not a plain file name.")]
    BadName(String),
}

impl Theme {
    /// The default theme; always available.
    pub fn default_dark() -> Self {
        // The embedded files are checked by a test; this cannot fail in a released binary.
        Self::built_in(DEFAULT_THEME).unwrap_or_else(Self::fallback)
    }

    /// A built-in theme by name.
    pub fn built_in(name: &str) -> Option<Self> {
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name)?;
        Self::parse(text, Path::new(name)).ok()
    }

    /// Terminal defaults only, used if an embedded file were ever broken.
    fn fallback() -> Self {
        Self {
            name: DEFAULT_THEME.into(),
            fg: Color::Reset,
            bg: Color::Reset,
            muted: Color::DarkGray,
            accent: Color::Yellow,
            border: Color::DarkGray,
            border_focused: Color::Yellow,
            selection_fg: Color::Reset,
            selection_bg: Color::DarkGray,
            user: Color::Cyan,
            model: Color::Green,
            thought: Color::Magenta,
            error: Color::Red,
            warning: Color::Yellow,
            success: Color::Green,
            link: Color::Blue,
            status_fg: Color::Reset,
            status_bg: Color::DarkGray,
            key: Color::Yellow,
        }
    }

    /// Parses theme text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Self, ThemeError> {
        let invalid = |detail: String| ThemeError::Invalid {
            path: origin.to_path_buf(),
            detail,
        };
        let file: ThemeFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut theme = match file.extends.as_deref() {
            None => Self::fallback(),
            Some(base) => BUILT_IN
                .iter()
                .find(|(n, _)| *n == base)
                .and_then(|(_, text)| Self::parse(text, Path::new(base)).ok())
                .ok_or_else(|| {
                    invalid(format!(
                        "extends {base:?}, which is not a built-in theme (dark, light, high-contrast)"
                    ))
                })?,
        };
        let fallback_name = origin
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        theme.name = file.name.unwrap_or(fallback_name);
        for (key, value) in &file.colors {
            let color = Color::from_str(value.trim()).map_err(|_| {
                invalid(format!(
                    "colour {key} = {value:?} is not a colour name, \"#rrggbb\" or 0-255"
                ))
            })?;
            let slot = match key.as_str() {
                "fg" => &mut theme.fg,
                "bg" => &mut theme.bg,
                "muted" => &mut theme.muted,
                "accent" => &mut theme.accent,
                "border" => &mut theme.border,
                "border_focused" => &mut theme.border_focused,
                "selection_fg" => &mut theme.selection_fg,
                "selection_bg" => &mut theme.selection_bg,
                "user" => &mut theme.user,
                "model" => &mut theme.model,
                "thought" => &mut theme.thought,
                "error" => &mut theme.error,
                "warning" => &mut theme.warning,
                "success" => &mut theme.success,
                "link" => &mut theme.link,
                "status_fg" => &mut theme.status_fg,
                "status_bg" => &mut theme.status_bg,
                "key" => &mut theme.key,
                other => return Err(invalid(format!("unknown colour {other:?}"))),
            };
            *slot = color;
        }
        Ok(theme)
    }

    /// A theme by name: a user file in `user_dir` wins over a built-in of the same name.
    /// This reads the disk; the driver calls it, never `update`.
    pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Self, ThemeError> {
        let name = name.trim();
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !name.starts_with('.');
        if !plain {
            return Err(ThemeError::BadName(name.to_string()));
        }
        let name = name.strip_suffix(".toml").unwrap_or(name);
        if let Some(dir) = user_dir {
            let path = dir.join(format!("{name}.toml"));
            match std::fs::read_to_string(&path) {
                Ok(text) => return Self::parse(&text, &path),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(ThemeError::Invalid {
                        path,
                        detail: e.to_string(),
                    });
                }
            }
        }
        Self::built_in(name).ok_or_else(|| ThemeError::Unknown {
            name: name.to_string(),
            user: user_dir.map(user_theme_names).unwrap_or_default(),
            dir: user_dir.map(Path::to_path_buf).unwrap_or_default(),
        })
    }

    // Styles used across the components.

    pub fn base(&self) -> Style {
        Style::new().fg(self.fg).bg(self.bg)
    }

    pub fn muted(&self) -> Style {
        self.base().fg(self.muted)
    }

    pub fn accent(&self) -> Style {
        self.base().fg(self.accent)
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.base()
                .fg(self.border_focused)
                .add_modifier(Modifier::BOLD)
        } else {
            self.base().fg(self.border)
        }
    }

    pub fn title(&self, focused: bool) -> Style {
        if focused {
            self.base().fg(self.accent).add_modifier(Modifier::BOLD)
        } else {
            self.base().fg(self.fg).add_modifier(Modifier::BOLD)
        }
    }

    pub fn selected(&self) -> Style {
        Style::new().fg(self.selection_fg).bg(self.selection_bg)
    }

    pub fn user(&self) -> Style {
        self.base().fg(self.user).add_modifier(Modifier::BOLD)
    }

    pub fn model(&self) -> Style {
        self.base().fg(self.model).add_modifier(Modifier::BOLD)
    }

    pub fn thought(&self) -> Style {
        self.base().fg(self.thought)
    }

    pub fn error(&self) -> Style {
        self.base().fg(self.error)
    }

    pub fn warning(&self) -> Style {
        self.base().fg(self.warning)
    }

    pub fn success(&self) -> Style {
        self.base().fg(self.success)
    }

    pub fn link(&self) -> Style {
        self.base().fg(self.link).add_modifier(Modifier::UNDERLINED)
    }

    pub fn status(&self) -> Style {
        Style::new().fg(self.status_fg).bg(self.status_bg)
    }

    pub fn key(&self) -> Style {
        self.base().fg(self.key).add_modifier(Modifier::BOLD)
    }
}

/// Names of the `.toml` files in the user themes folder.
pub fn user_theme_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".toml").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `<config dir>/banana-studio/themes`: next to the config file.
pub fn user_themes_dir(config_path: &Path) -> Option<PathBuf> {
    config_path.parent().map(|dir| dir.join("themes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses_and_sets_every_colour() {
        for (name, text) in BUILT_IN {
            let theme = Theme::parse(text, Path::new(name)).unwrap();
            assert_eq!(theme.name, *name);
            let toml: toml::Value = toml::from_str(text).unwrap();
            assert_eq!(
                toml["colors"].as_table().unwrap().len(),
                18,
                "{name} sets every colour, so no built-in theme depends on the fallback"
            );
        }
        assert_ne!(
            Theme::built_in("light").unwrap().bg,
            Theme::built_in("dark").unwrap().bg
        );
    }

    #[test]
    fn user_themes_extend_a_built_in_and_win_over_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "extends = \"light\"\n[colors]\naccent = \"#ff0000\"\n",
        )
        .unwrap();
        let theme = Theme::load("mine", Some(dir.path())).unwrap();
        assert_eq!(theme.name, "mine");
        assert_eq!(theme.accent, Color::Rgb(255, 0, 0));
        assert_eq!(theme.bg, Theme::built_in("light").unwrap().bg);

        std::fs::write(
            dir.path().join("bad.toml"),
            "[colors]\naccent = \"banana\"\n",
        )
        .unwrap();
        let error = Theme::load("bad", Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("accent") && error.contains("banana"),
            "{error}"
        );

        let error = Theme::load("nope", Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("high-contrast") && error.contains("mine"),
            "{error}"
        );
        assert!(matches!(
            Theme::load("../etc/passwd", Some(dir.path())),
            Err(ThemeError::BadName(_))
        ));
    }
}
