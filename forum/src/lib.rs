//! The forum's service: everything between the HTTP surface (Spasm API handlers, Leptos
//! server functions) and the database.
//!
//! * [`Forum`] is the service: [`Forum::submit`] is the one ingest path for every event
//!   (browser, Spasm API, federation, RSS), and its reads serve the API and the pages.
//! * [`storage`] keeps events in SQLite or PostgreSQL behind the [`storage::Store`] trait.
//! * [`settings`] is the instance's policy, changed at run time by admin-signed events.
//! * [`upgrade`] reworks stored events once when the protocol changes (rc.52 ids).
//! * [`import`] moves an existing server's database in, through the ingest;
//!   [`check`] verifies that stored events are still what was signed.
//! * [`nostr`] publishes to Nostr relays and takes what their users answer.

pub mod address;
pub mod check;
pub mod envelope;
pub mod follow;
pub mod health;
pub mod import;
pub mod ingest;
pub mod jobs;
pub mod mutes;
pub mod network;
pub mod nostr;
pub mod profile;
pub mod query;
pub mod rate;
pub mod record;
pub mod screen;
pub mod search;
pub mod service;
pub mod settings;
pub mod storage;
pub mod upgrade;

pub use address::AuthorAddress;
pub use ingest::{Accepted, Origin, SubmitError};
pub use service::{Forum, ForumLimits, ReadError};
pub use settings::{Settings, SharedSettings};
