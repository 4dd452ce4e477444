//! The one HTTP client for everything the server fetches: federation sources, RSS and Atom
//! feeds, Nostr relays (WebSockets), and later NIP-05 and link previews.
//!
//! What a stranger names is fetched only within bounds: `http`/`https` (`ws`/`wss` for
//! relays) only; names resolved
//! here and every address checked ([`AddressClass`]) unless the host allows private
//! networks or names the host; IP literals checked too; redirects limited, each hop
//! checked again; no system proxy; connect and total timeouts; bodies read up to a cap.

mod address;
mod client;
mod error;
mod policy;
mod resolve;
mod websocket;

pub use address::AddressClass;
pub use client::{Fetched, GetRequest, OutgoingClient};
pub use error::OutgoingError;
pub use policy::OutgoingPolicy;
pub use resolve::{Lookup, NameResolver, StaticResolver, SystemResolver};
pub use tokio_tungstenite::tungstenite::Message as WebSocketMessage;
pub use websocket::{Addresses, RelaySocket, RelayTransport};
