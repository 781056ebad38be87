//! A region edit: the rectangle of a version's picture the user marked, what the model is
//! told about it, and whether the studio keeps the picture outside it as it was. The pixels
//! (the outlined copy, the composite) are [`crate::region`]'s.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::id::TurnId;

/// A rectangle of a picture, in its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl fmt::Display for Region {
    /// `640×180 at 1200,340`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{} at {},{}", self.width, self.height, self.x, self.y)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("--region {0:?}: give it as X,Y,W,H in the picture's pixels, e.g. 1200,340,640,180.")]
    Syntax(String),
    #[error("The region {region} has no area: give it a width and a height of at least 1 px.")]
    Empty { region: Region },
    #[error(
        "The region {region} reaches outside the {}×{} px picture it edits: keep X+W within {} and Y+H within {}.",
        size.0, size.1, size.0, size.1
    )]
    Outside { region: Region, size: (u32, u32) },
}

impl Region {
    /// `X,Y,W,H` (spaces allowed), as `send --region` takes it.
    pub fn parse(text: &str) -> Result<Region, RegionError> {
        let numbers: Vec<u32> = text
            .split(',')
            .map(|n| n.trim().parse::<u32>())
            .collect::<Result<_, _>>()
            .map_err(|_| RegionError::Syntax(text.to_string()))?;
        let [x, y, width, height] = numbers[..] else {
            return Err(RegionError::Syntax(text.to_string()));
        };
        Ok(Region {
            x,
            y,
            width,
            height,
        })
    }

    /// Whether it has an area and lies within a picture of `size` pixels.
    pub fn check_within(self, size: (u32, u32)) -> Result<Region, RegionError> {
        if self.width == 0 || self.height == 0 {
            return Err(RegionError::Empty { region: self });
        }
        let right = u64::from(self.x) + u64::from(self.width);
        let bottom = u64::from(self.y) + u64::from(self.height);
        if right > u64::from(size.0) || bottom > u64::from(size.1) {
            return Err(RegionError::Outside { region: self, size });
        }
        Ok(self)
    }

    /// The same rectangle on the picture scaled from `from` to `to` pixels (each edge rounded
    /// to the nearest pixel, never empty).
    pub fn scaled(self, from: (u32, u32), to: (u32, u32)) -> Region {
        let scale = |v: u32, a: u32, b: u32| {
            ((u64::from(v) * u64::from(b) + u64::from(a.max(1)) / 2) / u64::from(a.max(1))) as u32
        };
        let x = scale(self.x, from.0, to.0).min(to.0.saturating_sub(1));
        let y = scale(self.y, from.1, to.1).min(to.1.saturating_sub(1));
        let right = scale(self.x + self.width, from.0, to.0).clamp(x + 1, to.0.max(x + 1));
        let bottom = scale(self.y + self.height, from.1, to.1).clamp(y + 1, to.1.max(y + 1));
        Region {
            x,
            y,
            width: right - x,
            height: bottom - y,
        }
    }
}

/// What a prompt's user turn records of its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionEdit {
    /// The reply whose final picture the region was drawn on (the one edited).
    pub on: TurnId,
    /// Which of that reply's final pictures, from 0.
    #[serde(default)]
    pub image: usize,
    pub region: Region,
    /// Keep the picture outside the region as it was (see [`crate::region::composites`]).
    pub keep_outside: bool,
    /// The outline's colour on the annotated copy, named in the instruction.
    pub outline: OutlineColour,
}

/// The outline colours the annotated copy chooses from: saturated, and named so the
/// instruction can say which to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutlineColour {
    Magenta,
    Cyan,
    Lime,
    Yellow,
    Red,
    Blue,
}

impl OutlineColour {
    pub const ALL: [OutlineColour; 6] = [
        OutlineColour::Magenta,
        OutlineColour::Cyan,
        OutlineColour::Lime,
        OutlineColour::Yellow,
        OutlineColour::Red,
        OutlineColour::Blue,
    ];

    pub fn rgb(self) -> [u8; 3] {
        match self {
            OutlineColour::Magenta => [255, 0, 255],
            OutlineColour::Cyan => [0, 255, 255],
            OutlineColour::Lime => [0, 255, 0],
            OutlineColour::Yellow => [255, 255, 0],
            OutlineColour::Red => [255, 0, 0],
            OutlineColour::Blue => [0, 0, 255],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OutlineColour::Magenta => "magenta",
            OutlineColour::Cyan => "cyan",
            OutlineColour::Lime => "lime green",
            OutlineColour::Yellow => "yellow",
            OutlineColour::Red => "red",
            OutlineColour::Blue => "blue",
        }
    }
}

/// The text sent after the user's own for a region edit, worded after Google's guidance for
/// editing part of a picture ("Using the provided image, change only …; keep everything else
/// exactly the same, preserving the original style, lighting, and composition"). `size` is the
/// edited picture's size in pixels.
pub fn instruction(edit: &RegionEdit, size: (u32, u32)) -> String {
    let Region {
        x,
        y,
        width,
        height,
    } = edit.region;
    let colour = edit.outline.name();
    format!(
        "The attached copy of the image marks the area to edit with a {colour} rectangle \
         ({width}×{height} px at x={x}, y={y} of the {}×{} px image). Using the provided image, \
         apply the request above only inside the outlined area. Keep everything else in the \
         image exactly the same, preserving the original style, lighting, and composition. \
         The {colour} outline only marks the area: do not draw it, and answer with the whole \
         image at its original size and aspect ratio.",
        size.0, size.1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_and_are_checked_against_the_picture() {
        let region = Region::parse(" 1200, 340,640 ,180").unwrap();
        assert_eq!(
            region,
            Region {
                x: 1200,
                y: 340,
                width: 640,
                height: 180
            }
        );
        assert_eq!(region.to_string(), "640×180 at 1200,340");
        assert!(region.check_within((4096, 4096)).is_ok());
        assert!(region.check_within((1840, 4096)).is_ok());
        let outside = region.check_within((1839, 4096)).unwrap_err();
        assert!(outside.to_string().contains("within 1839"), "{outside}");
        for bad in ["1,2,3", "1,2,3,4,5", "a,b,c,d", "-1,0,5,5", ""] {
            assert!(
                matches!(Region::parse(bad), Err(RegionError::Syntax(_))),
                "{bad}"
            );
        }
        let empty = Region::parse("5,5,0,10").unwrap().check_within((100, 100));
        assert!(matches!(empty, Err(RegionError::Empty { .. })));
        // No overflow at the edge of u32.
        let huge = Region::parse("4294967295,0,4294967295,1").unwrap();
        assert!(huge.check_within((100, 100)).is_err());
    }

    #[test]
    fn a_region_scales_with_its_picture_and_never_empties() {
        let region = Region {
            x: 1200,
            y: 340,
            width: 640,
            height: 180,
        };
        let small = region.scaled((4096, 4096), (1024, 1024));
        assert_eq!(
            small,
            Region {
                x: 300,
                y: 85,
                width: 160,
                height: 45
            }
        );
        let tiny = Region {
            x: 4095,
            y: 0,
            width: 1,
            height: 1,
        }
        .scaled((4096, 4096), (16, 16));
        assert_eq!((tiny.width, tiny.height), (1, 1));
        assert!(tiny.x + tiny.width <= 16);
    }
}
