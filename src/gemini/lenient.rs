//! Serde helpers for the tolerant reader: relays send `null` where Google sends an object or a
//! list, and some send nothing at all.

use serde::{Deserialize, Deserializer};

/// Reads `null` (or a missing field, with `#[serde(default)]`) as the type's default.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Reads a value of another shape (or `null`) as the type's default: a field whose type depends
/// on the kind of the object it is in (an Interactions step's `result` is a list of search
/// results for a search, a string for code execution) is kept where it is the shape we read,
/// and ignored elsewhere rather than failing the whole reply.
pub fn other_shape_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Known(Option<T>),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Either::<T>::deserialize(deserializer)? {
        Either::Known(value) => value.unwrap_or_default(),
        Either::Other(_) => T::default(),
    })
}
