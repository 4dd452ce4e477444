//! What pages show, as the server sends it to the browser: plain data, already checked and
//! rendered safe on the server (markdown to HTML with raw HTML off happens there).

use serde::{Deserialize, Serialize};
use spasm::body::{ParentInfo, RawJson};

/// A person as the forum shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorView {
    /// The address as stored (Ethereum lower case, Nostr hex).
    pub address: String,
    /// `0xf855...c2fa` or `npub1abc...wxyz`.
    pub short: String,
    /// Whether a signature checked by this server proves it.
    pub verified: bool,
    /// The author page.
    pub href: String,
    /// `Ethereum` or `Nostr`.
    pub network: String,
    /// The name shown for the address (the old client's generated name), if any.
    pub name: Option<String>,
    /// The address's identicon: the drawing inside its SVG ([`crate::identity::Blockie::svg_paths`]),
    /// shown in the page itself rather than fetched once per author.
    pub identicon_paths: String,
}

/// A reaction and how many gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionCount {
    /// The reaction's name (`upvote`, `bullish`, ...).
    pub name: String,
    /// How many.
    pub total: i64,
}

/// What a reply or reaction needs of the event it answers (the ids, categories and
/// mentions, sorted on the server, where the collation data lives). The JSON values stay
/// the text the server wrote ([`RawJson`]): the page only passes them on to be signed, and
/// the browser bundle is spared the code of parsed JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ParentData {
    /// Every id, the spasmid first.
    pub ids: Vec<String>,
    /// Its categories.
    pub categories: Vec<RawJson>,
    /// Mentions for a reply: its authors and mentions, deduplicated and sorted.
    pub mentions_for_reply: Vec<RawJson>,
    /// Mentions for a reaction or moderation: its authors, deduplicated and sorted; `None`
    /// when they are the same as for a reply (most events mention nobody else), which keeps
    /// long threads' hydration data small.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentions_for_reaction: Option<Vec<RawJson>>,
}

impl ParentData {
    /// The parent data of an event, sending the mentions for a reaction only when they
    /// differ from those for a reply.
    #[cfg(feature = "ssr")]
    pub fn new(
        ids: Vec<String>,
        categories: &[serde_json::Value],
        mentions_for_reply: &[serde_json::Value],
        mentions_for_reaction: &[serde_json::Value],
    ) -> Self {
        let raw = |values: &[serde_json::Value]| -> Vec<RawJson> {
            values
                .iter()
                .filter_map(|value| serde_json::value::to_raw_value(value).ok())
                .collect()
        };
        Self {
            ids,
            categories: raw(categories),
            mentions_for_reply: raw(mentions_for_reply),
            mentions_for_reaction: (mentions_for_reaction != mentions_for_reply)
                .then(|| raw(mentions_for_reaction)),
        }
    }

    /// The mentions for a reaction or moderation.
    pub fn reaction_mentions(&self) -> &[RawJson] {
        self.mentions_for_reaction
            .as_deref()
            .unwrap_or(&self.mentions_for_reply)
    }

    /// The `spasm` crate's parent info, its JSON as the server wrote it.
    pub fn to_parent_info(&self) -> ParentInfo<RawJson> {
        ParentInfo {
            ids: self.ids.clone(),
            categories: self.categories.clone(),
            mentions_for_reply: self.mentions_for_reply.clone(),
            mentions_for_reaction: self.reaction_mentions().to_vec(),
        }
    }
}

impl PartialEq for ParentData {
    /// Equal when they say the same in the same words (raw JSON is compared as text).
    fn eq(&self, other: &Self) -> bool {
        fn texts(values: &[RawJson]) -> Vec<&str> {
            values.iter().map(|value| value.get()).collect()
        }
        self.ids == other.ids
            && texts(&self.categories) == texts(&other.categories)
            && texts(&self.mentions_for_reply) == texts(&other.mentions_for_reply)
            && texts(self.reaction_mentions()) == texts(other.reaction_mentions())
    }
}

/// One event as a card or a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    /// The row key (the feed's cursor).
    pub key: i64,
    /// The `spasmid01`.
    pub spasmid: String,
    /// The link to its page.
    pub href: String,
    /// `post`, `reply`, ...
    pub action: String,
    /// The title (empty for replies).
    pub title: String,
    /// The first 140 characters of the content, as text.
    pub excerpt: String,
    /// The content rendered from markdown, safe to insert.
    pub body_html: String,
    /// When this server stored it (ms).
    pub added_at_ms: i64,
    /// When it was signed or published (ms).
    pub signed_at_ms: Option<i64>,
    /// Its authors.
    pub authors: Vec<AuthorView>,
    /// Category names.
    pub categories: Vec<String>,
    /// The source (RSS feeds, other instances).
    pub source: Option<String>,
    /// The external link of RSS items.
    pub link: Option<String>,
    /// Reactions with counts, most first.
    pub reactions: Vec<ReactionCount>,
    /// How many replies, at any depth below it (the whole discussion it started).
    pub replies: i64,
    /// Whether it carries a verified signature.
    pub signed: bool,
    /// The id of the event it answers.
    pub parent_id: Option<String>,
    /// The page of the event it answers.
    pub parent_href: Option<String>,
    /// The headline of the event it answers, where a page shows it (author pages).
    pub parent_title: Option<String>,
    /// What answering it needs.
    pub parent_data: ParentData,
}

impl EventView {
    /// The total of one reaction.
    pub fn reaction(&self, name: &str) -> i64 {
        self.reactions
            .iter()
            .find(|reaction| reaction.name == name)
            .map_or(0, |reaction| reaction.total)
    }

    /// The title, or the excerpt when there is none.
    pub fn headline(&self) -> String {
        if self.title.trim().is_empty() {
            self.excerpt.clone()
        } else {
            self.title.clone()
        }
    }
}

/// A comment and the replies below it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentNode {
    /// The comment.
    pub event: EventView,
    /// Why the visitor's mutes hide it (its replies stay), in words; `None` when shown.
    pub muted: Option<String>,
    /// Its replies, oldest first.
    pub replies: Vec<CommentNode>,
}

impl CommentNode {
    /// The replies below it at any depth, as far as the page loaded them.
    pub fn reply_total(&self) -> usize {
        self.replies
            .iter()
            .map(|reply| 1 + reply.reply_total())
            .sum()
    }
}

/// One entry of the moderation log (`GET /api/moderations`), for the admin page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModerationView {
    /// The moderation event's `spasmid01`.
    pub spasmid: String,
    /// `delete` or `restore`.
    pub action: String,
    /// Who signed it.
    pub moderator: AuthorView,
    /// The ids it names, the target's first.
    pub target_ids: Vec<String>,
    /// When this server took it (ms).
    pub at_ms: i64,
    /// When an admin undid it (ms), and who.
    pub undone: Option<(i64, AuthorView)>,
}

/// A post page: the event and its comment tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadView {
    /// The event.
    pub event: EventView,
    /// Replies, oldest first.
    pub comments: Vec<CommentNode>,
    /// For a comment: the events above it, the thread's post first (empty for a post, and
    /// for a reply whose parent this server does not hold).
    pub path: Vec<EventView>,
    /// Its Nostr signer and where it was published, when a Nostr key signed it.
    pub nostr: Option<NostrPublicationView>,
}

/// What the post page finds under an id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ThreadAnswer {
    /// The event with its comments.
    Found(Box<ThreadView>),
    /// The event was deleted, by its author (NIP-09) or by a moderator.
    Deleted {
        /// Whether its author deleted it.
        by_author: bool,
    },
    /// No event with this id is stored here.
    NotFound,
    /// The visitor muted it: why, in words.
    Muted(String),
}

/// An event's publication to Nostr relays, for its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NostrPublicationView {
    /// The Nostr key that signed it (hex): only it may ask for a later publication.
    pub signer: String,
    /// Each relay's answer, by relay URL.
    pub deliveries: Vec<DeliveryView>,
}

/// Where an event stands with one relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    /// The relay's URL.
    pub relay: String,
    /// `delivered`, `refused` or `pending`.
    pub state: String,
    /// The state in words, with the relay's reason.
    pub detail: String,
}

/// A piece of text shown in a search result: `marked` when it is a word the search found
/// (shown as `<mark>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marked {
    /// The text, as written.
    pub text: String,
    /// Whether it is a found word.
    pub marked: bool,
}

/// An event a search found, with its found words marked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// The event.
    pub event: EventView,
    /// Its title, or nothing for a reply.
    pub title: Vec<Marked>,
    /// Its text around the first found word.
    pub excerpt: Vec<Marked>,
}

/// A page of search results, with the cursor of the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    /// The results, newest first.
    pub results: Vec<SearchResult>,
    /// How many results of this page the visitor's mutes left out.
    pub muted: usize,
    /// `before` for the next page, when there may be one.
    pub next_before: Option<i64>,
}

/// One page of a list, with the cursor of the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    /// The events the host pinned, shown first (the feed's first page).
    pub pinned: Vec<EventView>,
    /// How many events of this page the visitor's mutes left out.
    pub muted: usize,
    /// The events, newest first.
    pub events: Vec<EventView>,
    /// `before` for the next page, when there may be one.
    pub next_before: Option<i64>,
}

/// Who an author page is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorIdentity {
    /// `Ethereum` or `Nostr`.
    pub network: String,
    /// The form people know: the lower-case `0x` address, or the npub.
    pub shown: String,
    /// Other forms of the same key: the checksum address, or the hex key.
    pub also_known_as: String,
    /// The old client's generated name, when the instance shows them.
    pub name: Option<String>,
    /// The identicon's path.
    pub identicon: String,
    /// The key in a block explorer or Nostr web client.
    pub explorer_href: String,
    /// `nostr:npub…`, for Nostr apps.
    pub nostr_uri: Option<String>,
    /// What a Nostr key says about itself in its newest profile known here.
    pub profile: Option<ProfileView>,
}

/// A Nostr profile as an author page shows it: each field already safe to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    /// The name the key chose.
    pub name: Option<String>,
    /// Its description of itself (plain text).
    pub about: Option<String>,
    /// Its website (`http(s)`).
    pub website: Option<String>,
    /// Its picture (`https`), only when the instance shows profile pictures.
    pub picture: Option<String>,
}

/// An author page: who, and a page of what they verifiably signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorPageView {
    /// The author; `None` when the id is no address or key.
    pub identity: Option<AuthorIdentity>,
    /// What they signed, newest first.
    pub page: EventPage,
}

/// What the instance allows, for the pages to offer the right actions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstancePolicy {
    /// Moderators (normalised addresses).
    pub moderators: Vec<String>,
    /// Admins (normalised addresses).
    pub admins: Vec<String>,
    /// New posts are accepted.
    pub posting_open: bool,
    /// The relays the server publishes to when an author asks (the author's own NIP-65
    /// write relays are added).
    pub nostr_relays: Vec<String>,
}

/// The Nostr relays, for the admin page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelaysView {
    /// Every relay the instance uses.
    pub relays: Vec<RelayView>,
    /// The admin's list (URLs), to change it.
    pub admin_list: Vec<String>,
}

/// One relay with its state in words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayView {
    /// Its URL.
    pub url: String,
    /// Who configured it, in words.
    pub configured_by: String,
    /// Whether an admin configured it (and so may remove it here).
    pub by_admin: bool,
    /// Its connection's last error and its backlog, in words.
    pub state: String,
}

/// A federation source or feed with its state in words, for the admin page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceView {
    /// Its name, shown on what it brought.
    pub name: String,
    /// What is fetched.
    pub url: String,
    /// Who configured it, in words.
    pub configured_by: String,
    /// Whether an admin configured it (and so may remove or pause it here).
    pub by_admin: bool,
    /// How often it is pulled, in words.
    pub every: String,
    /// Whether it is paused.
    pub paused: bool,
    /// What it turned out to be, in words ("not pulled yet" before the first run).
    pub kind: String,
    /// When a pull last succeeded.
    pub last_success: Option<String>,
    /// The last failure, in words, and when.
    pub last_error: Option<String>,
    /// When it last failed.
    pub last_error_at: Option<String>,
    /// Failed pulls since the last success.
    pub failures: i64,
    /// When it is pulled next, in words.
    pub next_run: String,
    /// Items taken, over every pull.
    pub taken: i64,
    /// Items refused over every pull, by reason.
    pub refused: Vec<(String, i64)>,
    /// The last pull in words.
    pub last_report: Option<String>,
    /// When a window last held nothing seen before (events may have been missed).
    pub possibly_incomplete_at: Option<String>,
}

/// The admin page's sources: each with its state, and the admin's list as JSON (to be
/// changed and signed again).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcesView {
    /// Every source, the host's first.
    pub sources: Vec<SourceView>,
    /// The admin's list (`app-config-federation-list` content), names filled in.
    pub admin_list: String,
    /// Whether federation is on (`ENABLE_SPASM_MODULE`).
    pub enabled: bool,
}
