//! The region of a picture the full view asks for.

/// A rectangle of an image, in its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Crop {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Crop {
    /// All of a picture of `size` pixels.
    pub fn all(size: (u32, u32)) -> Crop {
        Crop {
            x: 0,
            y: 0,
            width: size.0,
            height: size.1,
        }
    }
}
