//! The arguments of `banana-studio send`, shared by the one-turn and the variations paths.

use std::path::PathBuf;

use clap::Args;

use crate::config::{MAX_VARIATIONS, MIN_VARIATIONS};

#[derive(Debug, Args)]
pub struct SendArgs {
    /// What to draw, or what to change
    #[arg(value_name = "PROMPT")]
    pub prompt: String,
    /// Session to add the turn to (created if missing) [default: a new session]
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
    /// Continue after this reply instead of the latest: its version (v7) or turn number (6);
    /// starts a branch
    #[arg(long, value_name = "vN|TURN")]
    pub from: Option<String>,
    /// Attach an image (PNG, JPEG, WebP, HEIC/HEIF); repeat for more, up to the model's limit
    #[arg(long, value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// Model, e.g. gemini-3-pro-image, gemini-3.1-flash-image (`banana-studio models` lists them)
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Aspect ratio, e.g. 1:1, 16:9, 9:16 (3.1 Flash also 1:4 4:1 1:8 8:1)
    #[arg(long, value_name = "RATIO")]
    pub aspect: Option<String>,
    /// Image size: 1K, 2K or 4K (3.1 Flash also 512)
    #[arg(long, value_name = "SIZE")]
    pub size: Option<String>,
    /// How hard the model thinks: minimal, low, medium or high, as the model takes
    #[arg(long, value_name = "LEVEL")]
    pub thinking: Option<String>,
    /// Ground the image in Google Search results
    #[arg(long, overrides_with = "no_search")]
    pub search: bool,
    /// Turn Google Search grounding off (it is inherited from the previous turn)
    #[arg(long)]
    pub no_search: bool,
    /// Ground in Google image search too (models that offer it; implies --search)
    #[arg(long, overrides_with = "no_image_search")]
    pub image_search: bool,
    /// Turn image search off (it is inherited from the previous turn)
    #[arg(long)]
    pub no_image_search: bool,
    /// Ask for the image only, no text
    #[arg(long)]
    pub image_only: bool,
    /// System instruction for this turn
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// Wait for the whole reply instead of streaming it
    #[arg(long)]
    pub no_stream: bool,
    /// Also copy the final image(s) into this folder
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print one JSON object on stdout instead of text
    #[arg(long)]
    pub json: bool,
    /// Show the final image(s) in the terminal afterwards (sixel, kitty, iTerm2, or coloured blocks)
    #[arg(long, conflicts_with = "json")]
    pub preview: bool,
    /// Rows the preview may take (default: a third of the terminal, so the reply stays in view)
    #[arg(long, value_name = "N", requires = "preview", value_parser = clap::value_parser!(u16).range(1..))]
    pub preview_rows: Option<u16>,
    /// Send the prompt this many times at once (2 to 8): variations, each a reply of its own
    /// under the one prompt. Prints one JSON object with a `candidates` array.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(i64::from(MIN_VARIATIONS)..=i64::from(MAX_VARIATIONS)), conflicts_with = "preview")]
    pub n: Option<u8>,
    /// Edit only this rectangle of the picture being edited (the latest on the path, or the
    /// one --from names): X,Y,W,H in its pixels. The model gets a copy with it outlined
    #[arg(long, value_name = "X,Y,W,H")]
    pub region: Option<String>,
    /// Keep the picture outside --region exactly as it was (the default): the model's picture
    /// is used inside it only
    #[arg(long, requires = "region", overrides_with = "no_keep_outside")]
    pub keep_outside: bool,
    /// Show the model's picture as it drew it, outside --region too
    #[arg(long, requires = "region", overrides_with = "keep_outside")]
    pub no_keep_outside: bool,
}
