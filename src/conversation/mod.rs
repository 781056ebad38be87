//! The conversation model: a tree of turns whose parts are kept exactly as received, the
//! per-turn settings, attachments, and the request built from the active path.
//! No IO except reading attachment files and lazily loaded images.

pub mod attachment;
pub mod explain;
pub mod id;
pub mod part;
pub mod region;
pub mod reply;
pub mod request;
pub mod settings;
pub mod thoughts;
pub mod tree;

pub use crate::blob::Blob;
pub use part::{Part, PartContent};
pub use region::{Region, RegionEdit};
pub use reply::ReplyBuilder;
pub use request::{PreparedRequest, RequestError, RequestTarget, build_request, unread_images};
pub use settings::{ImageSize, TurnSettings};
pub use tree::{Conversation, ModelTurn, Turn, TurnBody, TurnId, UserTurn, Variation};
