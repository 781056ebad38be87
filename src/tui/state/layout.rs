//! Which panes the screen shows and how they share it: the panes and the focus order, the
//! layout the user chose (F8, saved as `layout` in the config), and the arrangement a terminal
//! of a given size gets. Pure decisions; [`view`](super::view) draws them.

/// The panes that can have the focus, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Input,
    Conversation,
    Image,
    Thinking,
    Sources,
}

impl Pane {
    pub const ORDER: [Pane; 5] = [
        Pane::Input,
        Pane::Conversation,
        Pane::Image,
        Pane::Thinking,
        Pane::Sources,
    ];

    pub fn is_side(self) -> bool {
        matches!(self, Pane::Image | Pane::Thinking | Pane::Sources)
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Input => "Prompt",
            Pane::Conversation => "Conversation",
            Pane::Image => "Image",
            Pane::Thinking => "Thinking",
            Pane::Sources => "Sources",
        }
    }
}

/// The layout the user chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LayoutMode {
    /// The picture takes over half of a wide screen, thinking and sources in a strip under it.
    #[default]
    ImageFirst,
    /// The picture larger still, the conversation narrow beside it, thinking and sources as
    /// tabs under the conversation.
    Focus,
}

impl LayoutMode {
    /// The value saved as `layout` in the config.
    pub fn config_value(self) -> &'static str {
        match self {
            LayoutMode::ImageFirst => "image-first",
            LayoutMode::Focus => "focus",
        }
    }

    /// Reads the config's `layout`; the error says what to write instead.
    pub fn from_config(value: &str) -> Result<Self, String> {
        match value {
            // "balanced" is what F8 saved before image-first became the default it names.
            "image-first" | "balanced" => Ok(LayoutMode::ImageFirst),
            "focus" => Ok(LayoutMode::Focus),
            other => Err(format!(
                "layout = {other:?} in the config file: use \"image-first\" or \"focus\" (F8 in the studio switches and saves it)."
            )),
        }
    }

    pub fn toggled(self) -> Self {
        match self {
            LayoutMode::ImageFirst => LayoutMode::Focus,
            LayoutMode::Focus => LayoutMode::ImageFirst,
        }
    }
}

/// The smallest terminal the studio draws in.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// How a terminal of some size is shared out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutKind {
    /// Conversation and prompt on the left; the picture over half the screen on the right,
    /// over a strip with thinking and sources.
    ImageFirst,
    /// The picture on the right over the whole height; a narrow column with the
    /// conversation, thinking and sources as tabs, and the prompt.
    Focus,
    /// Conversation and prompt, one side pane beside them (tabs).
    Narrow,
    /// Conversation, one side pane, prompt, stacked.
    Stacked,
    TooSmall,
}

/// The arrangement for a `width`×`height` terminal in `mode`. Wide terminals (100×30 and up)
/// get the chosen layout; smaller ones keep the side panes behind tabs, where the focus
/// layout gives the tabs more of the screen.
pub fn layout_kind(width: u16, height: u16, mode: LayoutMode) -> LayoutKind {
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        LayoutKind::TooSmall
    } else if width >= 100 && height >= 30 {
        match mode {
            LayoutMode::ImageFirst => LayoutKind::ImageFirst,
            LayoutMode::Focus => LayoutKind::Focus,
        }
    } else if width >= 70 {
        LayoutKind::Narrow
    } else {
        LayoutKind::Stacked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_layout_applies_where_there_is_room_for_it() {
        for mode in [LayoutMode::ImageFirst, LayoutMode::Focus] {
            assert_eq!(layout_kind(80, 24, mode), LayoutKind::Narrow);
            assert_eq!(layout_kind(60, 30, mode), LayoutKind::Stacked);
            assert_eq!(layout_kind(30, 10, mode), LayoutKind::TooSmall);
            assert_eq!(layout_kind(120, 29, mode), LayoutKind::Narrow);
        }
        assert_eq!(
            layout_kind(120, 40, LayoutMode::ImageFirst),
            LayoutKind::ImageFirst
        );
        assert_eq!(layout_kind(200, 60, LayoutMode::Focus), LayoutKind::Focus);
    }

    #[test]
    fn the_config_value_round_trips_and_a_wrong_one_says_what_to_write() {
        for mode in [LayoutMode::ImageFirst, LayoutMode::Focus] {
            assert_eq!(LayoutMode::from_config(mode.config_value()), Ok(mode));
            assert_ne!(mode.toggled(), mode);
            assert_eq!(mode.toggled().toggled(), mode);
        }
        assert_eq!(
            LayoutMode::from_config("balanced"),
            Ok(LayoutMode::ImageFirst),
            "an older studio's saved default still opens"
        );
        let error = LayoutMode::from_config("wide").unwrap_err();
        assert!(error.contains("\"image-first\" or \"focus\""), "{error}");
    }
}
