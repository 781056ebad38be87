//! The model picker (F2, `/model`): the provider's image models with each one's price per
//! image and options, to choose the model of the next prompt.

use crate::tui::state::pickers::ModelPicker;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::tui::state::app::App;
use crate::tui::view::widgets::{PickerRows, popup, truncate};

pub fn render(frame: &mut Frame, area: Rect, app: &App, picker: &ModelPicker) {
    let theme = &app.theme;
    let rows = picker.models.len() as u16 * 2 + 4;
    let size = (
        100,
        rows.clamp(6, area.height.saturating_sub(2).clamp(6, 24)),
    );
    let source = if app.listed_models.is_some() {
        "as the provider lists them"
    } else {
        "from the catalog (the provider's list has not come)"
    };
    let title = format!("Model for the next prompt · {source}");
    let hint = "↑↓ choose · Enter use · Esc close";
    let Some(inner) = popup(frame, area, size, &title, hint, theme) else {
        return;
    };
    let width = inner.width as usize - 2;
    let pricing = app.pricing();
    let mut rows = PickerRows::new(width);
    if picker.models.is_empty() {
        rows.lines
            .push(Line::styled("No image models are known.", theme.muted()));
    }
    for (i, model) in picker.models.iter().enumerate() {
        // On the options line: beside the id it cut long ids ("…-preview (in us…").
        let in_use = if model.id == picker.current {
            "in use · "
        } else {
            ""
        };
        let price = match pricing.per_call {
            Some(call) => format!(
                "{}/call",
                crate::cost::unit_price(call.per_call + call.per_image, &call.currency)
            ),
            None => model.spec.price_summary(),
        };
        let name_width = 34.min(width / 2);
        // The price is what the picker is for: the display name gives way first.
        let name_column = width
            .saturating_sub(name_width + 1 + price.width() + 2)
            .min(24);
        let first = vec![
            Span::styled(
                format!("{:<name_width$} ", truncate(&model.id, name_width)),
                theme.base().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    "{:<name_column$}",
                    if model.display_name == model.id {
                        String::new()
                    } else {
                        truncate(&model.display_name, name_column)
                    }
                ),
                theme.base(),
            ),
            Span::styled(format!("  {price}"), theme.accent()),
        ];
        let second = vec![
            Span::raw("  "),
            Span::styled(
                truncate(
                    &format!("{in_use}{}", model.spec.options_summary()),
                    width.saturating_sub(2),
                ),
                theme.muted(),
            ),
        ];
        rows.row(first, second, i == picker.selected, theme);
    }
    rows.render(frame, inner, theme);
}
