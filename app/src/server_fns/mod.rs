//! Server functions, grouped by area. Each is a thin call into the server's services.

mod forum;
#[cfg(feature = "ssr")]
mod markdown;
mod nostr;
mod signatures;
#[cfg(feature = "ssr")]
mod view_cache;
#[cfg(feature = "ssr")]
mod view_model;

#[cfg(feature = "ssr")]
pub use view_cache::EventViewCache;

pub use forum::{
    FEED_PAGE_SIZE, MODERATION_LOG_LENGTH, SubmitReply, THREAD_DEPTH, load_author, load_feed,
    load_latest_comments, load_moderations, load_mutes, load_own_reactions, load_policy,
    load_search, load_settings, load_sources, load_thread, render_preview, submit_event,
};
pub use nostr::{load_relays, nostr_challenge, publish_to_nostr};
pub use signatures::{
    MAX_MESSAGE_BYTES, MAX_SIGNED_BYTES, VerifiedTestPost, VerifyTestPost, verify_test_post,
};
