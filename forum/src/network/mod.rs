//! The Spasm network: sources the instance pulls from (other instances' Spasm API, RSS and
//! Atom feeds), each pulled by a background job ([`crate::jobs`]) through the one outgoing
//! client (`outgoing`) and the one ingest path ([`crate::Forum::ingest_verified`]).

pub mod feed_items;
pub mod filter;
pub mod pull;
pub mod sources;

pub use filter::LocalFilter;
pub use sources::{ConfiguredBy, Source, SourceError};
