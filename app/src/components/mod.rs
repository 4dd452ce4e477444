//! Components shared by several pages, one module each.

mod event_card;
mod markdown_preview;
mod nostr_publication;
mod notice;
mod page_meta;
mod signature_check;
mod signing;
mod theme_toggle;

pub use event_card::{
    AuthorLine, Counts, EventCard, EventList, LoadMore, MutedNote, datetime_attribute, format_date,
    plural, reaction_symbol, shown_time,
};
pub use markdown_preview::MarkdownPreview;
#[cfg(feature = "hydrate")]
pub use nostr_publication::publish_later;
pub use nostr_publication::{InstanceRelays, NostrRelayStatus, PublishToNostrChoice};
#[cfg(feature = "hydrate")]
pub use notice::show_notice;
pub use notice::{LiveNotice, Notice};
pub use page_meta::{PageMeta, title_text};
pub use signature_check::SignatureCheck;
#[cfg(feature = "hydrate")]
pub use signing::start_page_signing;
pub use signing::{
    ConnectButton, NeedsJavaScript, SignWith, Signing, describe, page_admins, provide_signing,
    raw_json, sign_and_submit, sign_and_submit_as, use_signing,
};
pub use theme_toggle::ThemeToggle;
