//! What the studio knows about models: the catalog (data, not code), the options' vocabulary,
//! and the provider's own list of the models it serves (ListModels).

pub mod catalog;
pub mod listing;
pub mod options;

pub use catalog::{Catalog, CatalogError, ModelEntry, ModelSpec, ModelStatus};
pub use options::{ImageSize, OptionError, ThinkingLevel};
