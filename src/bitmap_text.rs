//! ASCII text drawn with the 8×8 font8x8 glyphs, for pictures made without a font file: the
//! demo model's paintings and the export's contact sheet.

use font8x8::legacy::BASIC_LEGACY;

/// The font only has ASCII; anything else shows as '?' so the text length stays honest.
pub fn sanitize(text: &str) -> String {
    let ascii = |ch: char| match ch {
        ' '..='~' => ch,
        _ if ch.is_whitespace() => ' ',
        _ => '?',
    };
    text.chars().map(ascii).collect()
}

/// Width in pixels of sanitized text at `scale` (each glyph is 8 × `scale` pixels wide).
pub fn text_w(s: &str, scale: i64) -> i64 {
    s.len() as i64 * 8 * scale
}

/// Draws sanitized text from (`x`, `y`), whole glyphs only up to `max_x`. Each lit font pixel
/// is handed to `fill` as a square: (left, top, side), so the caller owns the buffer and its
/// clipping.
pub fn draw(s: &str, x: i64, y: i64, scale: i64, max_x: i64, mut fill: impl FnMut(i64, i64, i64)) {
    for (i, byte) in (0i64..).zip(s.bytes()) {
        let gx = x + i * 8 * scale;
        if gx + 8 * scale > max_x {
            break;
        }
        let glyph = BASIC_LEGACY.get(usize::from(byte)).copied();
        for (row, bits) in (0i64..).zip(glyph.unwrap_or_default()) {
            for b in (0..8).filter(|b| (bits >> b) & 1 == 1) {
                fill(gx + b * scale, y + row * scale, scale);
            }
        }
    }
}

/// Word-wraps to `width` columns, breaking words longer than a line, and ends a cut-off
/// last line with "...".
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(1);
    let (mut lines, mut cur) = (Vec::new(), String::new());
    for word in sanitize(text).split_whitespace() {
        // sanitize made the text ASCII, so byte chunks are whole characters.
        for piece in word.as_bytes().chunks(width) {
            if !cur.is_empty() && cur.len() + 1 + piece.len() > width {
                lines.push(std::mem::take(&mut cur));
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(&String::from_utf8_lossy(piece));
        }
    }
    lines.extend((!cur.is_empty()).then_some(cur));
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.truncate(width.saturating_sub(3));
            last.push_str(&"..."[..width.min(3)]);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_long_words_and_marks_cuts() {
        assert_eq!(wrap("a bb ccc", 4, 3), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4, 3), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one two three four", 5, 2), ["one", "tw..."]);
        assert_eq!(wrap("né", 10, 1), ["n?"]);
        assert!(wrap("", 5, 2).is_empty());
    }

    #[test]
    fn draw_stops_before_a_glyph_that_would_cross_max_x() {
        let mut lit = Vec::new();
        draw("II", 0, 0, 2, 20, |x, y, side| lit.push((x, y, side)));
        assert!(!lit.is_empty());
        assert!(
            lit.iter().all(|&(x, _, side)| x < 16 && side == 2),
            "{lit:?}"
        );
        let mut none = 0;
        draw("I", 0, 0, 1, 7, |_, _, _| none += 1);
        assert_eq!(none, 0);
    }
}
