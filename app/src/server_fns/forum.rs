//! The forum's pages' data and the one write: thin server functions over the
//! [`forum::Forum`] service, which the server provides as context.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::UserFacingError;
use crate::model::{
    AuthorPageView, EventPage, EventView, InstancePolicy, SearchPage, ThreadAnswer,
};

/// Events per feed page.
pub const FEED_PAGE_SIZE: u32 = 25;
/// Reply levels a post page shows.
pub const THREAD_DEPTH: u32 = 10;
/// The most events above a comment its page shows on the way from the thread's post.
#[cfg(feature = "ssr")]
const MAX_PATH_LENGTH: u32 = 64;

/// What the server said to a submitted event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitReply {
    /// The outcome in words ([`forum::Accepted::in_words`]).
    pub message: String,
    /// The stored event's `spasmid01`.
    pub spasmid: String,
}

/// The text `content` of a new post (`is_post`) or reply as this forum will show it: HTML,
/// rendered exactly as on its page (the same Markdown rendering and media settings). Errors:
/// a text longer than the forum takes (`max_content_chars`), in words.
#[server(prefix = "/_fn", endpoint = "preview")]
pub async fn render_preview(content: String, is_post: bool) -> Result<String, UserFacingError> {
    use spasm::action::Action;

    let forum = forum()?;
    let longest = forum.limits().max_content_chars;
    if content.chars().count() > longest {
        return Err(UserFacingError::BadRequest(format!(
            "The text is longer than this forum takes ({longest} characters)."
        )));
    }
    let display = Display::of(&forum.settings());
    let action = if is_post { Action::Post } else { Action::Reply };
    Ok(display.body_html(&content, action))
}

#[cfg(feature = "ssr")]
pub(super) fn forum() -> Result<forum::Forum, UserFacingError> {
    use_context::<forum::Forum>().ok_or_else(|| {
        tracing::error!("the forum service is not in the server function's context");
        UserFacingError::Internal
    })
}

/// Spends one submit of the requesting client's address (every write door shares the
/// forum's per-address limit); a refusal is the words to show, with status 429.
#[cfg(feature = "ssr")]
pub(super) fn check_client_address(forum: &forum::Forum) -> Result<(), UserFacingError> {
    let address = use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .extensions
                .get::<forum::rate::ClientAddress>()
                .copied()
        })
        .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |address| address.0);
    forum.check_client_address(address).map_err(|error| {
        set_status(error.status());
        if let Some(seconds) = error.retry_after_secs() {
            set_retry_after(seconds);
        }
        UserFacingError::BadRequest(error.in_words())
    })
}

#[cfg(feature = "ssr")]
use super::view_model::Display;

/// Makes the views of stored events for one request: with the instance's display settings,
/// through the server's cache of views (a cache of this request alone where the server
/// provides none).
#[cfg(feature = "ssr")]
struct Views {
    display: Display,
    cache: std::sync::Arc<super::EventViewCache>,
}

#[cfg(feature = "ssr")]
impl Views {
    fn of(forum: &forum::Forum) -> Self {
        Self {
            display: Display::of(&forum.settings()),
            cache: use_context().unwrap_or_default(),
        }
    }

    fn view(&self, stored: &forum::envelope::StoredEvent) -> EventView {
        self.cache.view(stored, &self.display)
    }

    /// The views of `events`, each counting the replies below it at any depth (the whole
    /// discussion, not only the direct replies the stored counter holds). The totals are
    /// set after the cache: a reply deep in a thread does not change its root's row.
    async fn with_thread_totals(
        &self,
        forum: &forum::Forum,
        events: &[forum::envelope::StoredEvent],
    ) -> Result<Vec<EventView>, UserFacingError> {
        let keys: Vec<i64> = events.iter().map(|event| event.key).collect();
        let totals: std::collections::HashMap<i64, i64> = forum
            .store()
            .thread_reply_totals(&keys)
            .await
            .map_err(|error| read_failed(error.into()))?
            .into_iter()
            .collect();
        Ok(events
            .iter()
            .map(|event| EventView {
                replies: totals.get(&event.key).copied().unwrap_or(0),
                ..self.view(event)
            })
            .collect())
    }
}

#[cfg(feature = "ssr")]
fn read_failed(error: forum::ReadError) -> UserFacingError {
    match error {
        forum::ReadError::BadRequest(message) => {
            set_status(400);
            UserFacingError::BadRequest(message.trim_start_matches("ERROR: ").to_owned())
        }
        forum::ReadError::Storage(error) => {
            tracing::error!(%error, "a page could not read the database");
            set_status(500);
            UserFacingError::Internal
        }
    }
}

#[cfg(feature = "ssr")]
pub(super) fn set_status(status: u16) {
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(status);
    }
}

/// `Retry-After` on the server function's answer, in seconds.
#[cfg(feature = "ssr")]
pub(super) fn set_retry_after(seconds: u64) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&seconds.to_string()),
    ) {
        response.insert_header(http::header::RETRY_AFTER, value);
    }
}

/// The feed: posts, newest first, filtered by activity (`hot`, `rising`) and category.
#[server(prefix = "/_fn", endpoint = "feed")]
pub async fn load_feed(
    activity: Option<String>,
    category: Option<String>,
    before: Option<i64>,
) -> Result<EventPage, UserFacingError> {
    use forum::query::{Activity, FeedFilter, FeedRequest};
    use spasm::action::Action;

    let filter = FeedFilter {
        actions: vec![Action::Post.name().into()],
        activity: match activity.as_deref() {
            Some("hot") => Some(Activity::Hot),
            Some("rising") => Some(Activity::Rising),
            _ => None,
        },
        categories: chosen_category(category),
        ..FeedFilter::default()
    };
    let any_category = filter.categories.is_empty();
    let page = page_before(before);
    let forum = forum()?;
    let events = forum
        .feed(&FeedRequest {
            filter,
            page: Some(page),
        })
        .await
        .map_err(read_failed)?;
    let views = Views::of(&forum);
    let mut page = page_of(&forum, &events, &views).await?;
    // While no category is chosen, the host's pinned posts lead the feed (Hot, Rising or
    // All; its first page) and are not repeated further down.
    if any_category {
        let pinned = forum.pinned().await.map_err(read_failed)?;
        page.events
            .retain(|event| !pinned.iter().any(|pin| pin.key == event.key));
        if before.is_none() {
            let (pinned, muted) = without_muted(&pinned);
            page.muted += muted;
            page.pinned = views.with_thread_totals(&forum, &pinned).await?;
        }
    }
    Ok(page)
}

/// The category a list is filtered by: none for "any" or nothing.
#[cfg(feature = "ssr")]
fn chosen_category(category: Option<String>) -> Vec<String> {
    category
        .filter(|category| !category.is_empty() && category != "any")
        .into_iter()
        .collect()
}

/// A page of [`FEED_PAGE_SIZE`] events stored before `before` (newest first).
#[cfg(feature = "ssr")]
fn page_before(before: Option<i64>) -> forum::query::Page {
    forum::query::Page {
        limit: FEED_PAGE_SIZE,
        before,
        since: None,
    }
}

/// A page of `events` as views, without what the visitor muted (counted), with the cursor
/// of the next page (after the last event read, muted or not).
#[cfg(feature = "ssr")]
async fn page_of(
    forum: &forum::Forum,
    events: &[forum::envelope::StoredEvent],
    views: &Views,
) -> Result<EventPage, UserFacingError> {
    let next_before = (events.len() >= FEED_PAGE_SIZE as usize)
        .then(|| events.last().map(|event| event.key))
        .flatten();
    let (shown, muted) = without_muted(events);
    Ok(EventPage {
        pinned: Vec::new(),
        muted,
        events: views.with_thread_totals(forum, &shown).await?,
        next_before,
    })
}

/// The visitor's mutes ([`forum::mutes`]), from the request's cookie.
#[cfg(feature = "ssr")]
fn visitor_mutes() -> forum::mutes::Mutes {
    use_context::<http::request::Parts>()
        .map(|parts| {
            parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|cookie| cookie.to_str().ok())
                .map(forum::mutes::Mutes::from_cookie_header)
                .find(|mutes| !mutes.is_empty())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// `events` without what the visitor muted, and how many that left out.
#[cfg(feature = "ssr")]
fn without_muted(
    events: &[forum::envelope::StoredEvent],
) -> (Vec<forum::envelope::StoredEvent>, usize) {
    let mutes = visitor_mutes();
    let shown: Vec<_> = events
        .iter()
        .filter(|event| mutes.hides(event).is_none())
        .cloned()
        .collect();
    let muted = events.len() - shown.len();
    (shown, muted)
}

/// The visitor's mutes as the form shows them: `(words, keys)`, one per line.
#[server(prefix = "/_fn", endpoint = "mutes")]
pub async fn load_mutes() -> Result<(String, String), UserFacingError> {
    let mutes = visitor_mutes();
    Ok((mutes.words_text(), mutes.keys_text()))
}

/// A search ([`forum::search`]): posts and comments (`what`: `post`, `reply` or either)
/// in a category or any, newest first, their found words marked. A search without a word,
/// or too long, is refused in words.
#[server(prefix = "/_fn", endpoint = "search")]
pub async fn load_search(
    q: String,
    what: Option<String>,
    category: Option<String>,
    before: Option<i64>,
) -> Result<SearchPage, UserFacingError> {
    use forum::query::{FeedFilter, FeedRequest};
    use forum::search::SearchQuery;
    use spasm::action::Action;

    let query = SearchQuery::parse(&q).map_err(|error| {
        set_status(400);
        UserFacingError::BadRequest(error.to_string())
    })?;
    let actions = match what.as_deref() {
        Some("post") => vec![Action::Post.name().into()],
        Some("reply") => vec![Action::Reply.name().into()],
        _ => Vec::new(),
    };
    let filter = FeedFilter {
        actions,
        categories: chosen_category(category),
        ..FeedFilter::default()
    };
    let page = page_before(before);
    let forum = forum()?;
    let events = forum
        .search(
            &query,
            &FeedRequest {
                filter,
                page: Some(page),
            },
        )
        .await
        .map_err(read_failed)?;
    let views = Views::of(&forum);
    let page = page_of(&forum, &events, &views).await?;
    let mut results = Vec::with_capacity(events.len());
    for mut event in page.events {
        let Some(stored) = events.iter().find(|stored| stored.key == event.key) else {
            continue;
        };
        // A comment says what it answers, as on author pages.
        if let Some(parent) = event.parent_id.as_deref()
            && let Ok(Some(answered)) = forum.event(parent).await
        {
            event.parent_title = Some(views.view(&answered).headline());
        }
        let json =
            serde_json::from_str::<serde_json::Value>(&stored.event_json).unwrap_or_default();
        let text = |field: &str| {
            json.get(field)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
        };
        let marked = |pieces: Vec<forum::search::Marked>| {
            pieces
                .into_iter()
                .map(|piece| crate::model::Marked {
                    text: piece.text,
                    marked: piece.marked,
                })
                .collect()
        };
        results.push(crate::model::SearchResult {
            title: marked(forum::search::highlight(text("title"), &query)),
            excerpt: marked(forum::search::excerpt(
                &super::markdown::plain_text(text("content")),
                &query,
            )),
            event,
        });
    }
    Ok(SearchPage {
        results,
        muted: page.muted,
        next_before: page.next_before,
    })
}

/// The newest comments, for the front page.
#[server(prefix = "/_fn", endpoint = "latest_comments")]
pub async fn load_latest_comments() -> Result<Vec<EventView>, UserFacingError> {
    use forum::query::{FeedFilter, FeedRequest, Page};
    use spasm::action::Action;

    let filter = FeedFilter {
        actions: vec![Action::Reply.name().into()],
        ..FeedFilter::default()
    };
    let forum = forum()?;
    let events = forum
        .feed(&FeedRequest {
            filter,
            page: Some(Page::first(15)),
        })
        .await
        .map_err(read_failed)?;
    let (events, _) = without_muted(&events);
    Views::of(&forum).with_thread_totals(&forum, &events).await
}

/// An event with its comment tree, or whether it was deleted and by whom.
#[server(prefix = "/_fn", endpoint = "thread")]
pub async fn load_thread(id: String) -> Result<ThreadAnswer, UserFacingError> {
    let forum = forum()?;
    // Not found is a valid answer (the page says so, with a status of its own).
    let Some(root) = forum.event(&id).await.map_err(read_failed)? else {
        let deletion = forum
            .store()
            .deletion_of(&forum::service::lookup_id(&id))
            .await
            .map_err(|error| read_failed(forum::ReadError::Storage(error)))?;
        return Ok(match deletion {
            Some(deletion) => ThreadAnswer::Deleted {
                by_author: deletion.by_author,
            },
            None => ThreadAnswer::NotFound,
        });
    };
    let mutes = visitor_mutes();
    if let Some(muted) = mutes.hides(&root) {
        return Ok(ThreadAnswer::Muted(format!(
            "It is hidden because {muted}."
        )));
    }
    let views = Views::of(&forum);
    let comments = comment_tree(&forum, root.key, THREAD_DEPTH, &views, &mutes).await?;
    let event = views
        .with_thread_totals(&forum, std::slice::from_ref(&root))
        .await?
        .into_iter()
        .next()
        .unwrap_or_else(|| views.view(&root));
    // A comment's page shows the way from the thread's post down to it.
    let is_reply = spasm::action::Action::of(&event.action) == spasm::action::Action::Reply;
    let path = if root.parent_key.is_some() && is_reply {
        let above = forum
            .store()
            .ancestors(root.key, MAX_PATH_LENGTH)
            .await
            .map_err(|error| read_failed(error.into()))?;
        above.iter().map(|event| views.view(event)).collect()
    } else {
        Vec::new()
    };
    let nostr = super::nostr::publication_of(&forum, &root.event_json).await?;
    Ok(ThreadAnswer::Found(Box::new(crate::model::ThreadView {
        event,
        comments,
        path,
        nostr,
    })))
}

/// Replies below `root`, level by level (one query per level), as nested nodes, `depth`
/// levels deep; a comment of the deepest level counts the replies below it (`replies` of its
/// view), which the page does not show.
#[cfg(feature = "ssr")]
async fn comment_tree(
    forum: &forum::Forum,
    root: i64,
    depth: u32,
    views: &Views,
    mutes: &forum::mutes::Mutes,
) -> Result<Vec<crate::model::CommentNode>, UserFacingError> {
    use crate::model::CommentNode;

    let mut levels: Vec<Vec<forum::envelope::StoredEvent>> = Vec::new();
    let mut parents = vec![root];
    let mut remaining = forum.limits().max_tree_events;
    for _ in 0..depth {
        if parents.is_empty() || remaining == 0 {
            break;
        }
        let level = forum
            .store()
            .replies(&parents, remaining)
            .await
            .map_err(|error| read_failed(forum::ReadError::Storage(error)))?;
        remaining = remaining.saturating_sub(u32::try_from(level.len()).unwrap_or(u32::MAX));
        parents = level.iter().map(|event| event.key).collect();
        levels.push(level);
    }
    // How many replies are below each comment of the deepest level shown, which the page
    // offers as "Continue this thread" (on the comment's own page).
    let below_deepest: std::collections::HashMap<i64, i64> = match levels.last() {
        Some(deepest) if levels.len() == depth as usize && !deepest.is_empty() => {
            let keys: Vec<i64> = deepest.iter().map(|event| event.key).collect();
            forum
                .store()
                .thread_reply_totals(&keys)
                .await
                .map_err(|error| read_failed(error.into()))?
                .into_iter()
                .collect()
        }
        _ => std::collections::HashMap::new(),
    };
    struct Tree<'a> {
        levels: &'a [Vec<forum::envelope::StoredEvent>],
        views: &'a Views,
        below_deepest: &'a std::collections::HashMap<i64, i64>,
        mutes: &'a forum::mutes::Mutes,
    }
    fn build(parent: i64, depth: usize, tree: &Tree<'_>) -> Vec<CommentNode> {
        let Tree {
            levels,
            views,
            below_deepest,
            mutes,
        } = tree;
        levels
            .get(depth)
            .into_iter()
            .flatten()
            .filter(|event| event.parent_key == Some(parent))
            .map(|event| {
                let view = EventView {
                    // A comment in its thread shows neither; a long thread is sent to the
                    // browser twice (HTML and hydration data), so they are left out.
                    excerpt: String::new(),
                    parent_href: None,
                    replies: below_deepest.get(&event.key).copied().unwrap_or(0),
                    ..views.view(event)
                };
                // A muted comment's words and authors are neither rendered nor sent; the
                // answers below it are.
                let muted = mutes
                    .hides(event)
                    .map(|muted| format!("Hidden because {muted}."));
                let view = if muted.is_some() {
                    EventView {
                        body_html: String::new(),
                        authors: Vec::new(),
                        title: String::new(),
                        ..view
                    }
                } else {
                    view
                };
                CommentNode {
                    event: view,
                    muted,
                    replies: build(event.key, depth + 1, tree),
                }
            })
            .collect()
    }
    let tree = Tree {
        levels: &levels,
        views,
        below_deepest: &below_deepest,
        mutes,
    };
    Ok(build(root, 0, &tree))
}

/// What an author verifiably signed, newest first.
#[server(prefix = "/_fn", endpoint = "author")]
pub async fn load_author(
    id: String,
    before: Option<i64>,
) -> Result<AuthorPageView, UserFacingError> {
    let page = page_before(before);
    let forum = forum()?;
    let views = Views::of(&forum);
    let events = forum.author_events(&id, page).await.map_err(read_failed)?;
    let profile = forum.nostr_profile(&id).await.map_err(read_failed)?;
    let mut page = page_of(&forum, &events, &views).await?;
    // A reaction or reply says what it answers, by its headline (one page's worth of reads;
    // one that fails leaves the words "an event").
    for view in &mut page.events {
        if let Some(parent) = view.parent_id.as_deref()
            && let Ok(Some(stored)) = forum.event(parent).await
        {
            view.parent_title = Some(views.view(&stored).headline());
        }
    }
    Ok(AuthorPageView {
        identity: super::view_model::author_identity(&id, profile, &views.display),
        page,
    })
}

/// Who may do what here, for the pages to offer the right actions.
#[server(prefix = "/_fn", endpoint = "policy")]
pub async fn load_policy() -> Result<InstancePolicy, UserFacingError> {
    let forum = forum()?;
    let settings = forum.settings();
    let nostr_relays = forum
        .instance_relays()
        .await
        .iter()
        .map(ToString::to_string)
        .collect();
    Ok(InstancePolicy {
        moderators: settings
            .moderators
            .iter()
            .map(|address| address.to_string())
            .collect(),
        admins: settings
            .admins
            .iter()
            .map(|address| address.to_string())
            .collect(),
        posting_open: settings.enable_new_web3_actions_all && settings.enable_new_web3_actions_post,
        nostr_relays,
    })
}

/// The instance settings an admin may change (camelCase keys, as app-config events carry
/// them), as a JSON object.
#[server(prefix = "/_fn", endpoint = "settings")]
pub async fn load_settings() -> Result<String, UserFacingError> {
    let settings = forum()?.settings();
    let mut map = match serde_json::to_value(settings.as_ref()) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(UserFacingError::Internal),
    };
    for host_only in [
        "enableAppConfigChanges",
        "enableAppConfigChangesByAdmin",
        "enableAdmin",
        "admins",
    ] {
        map.remove(host_only);
    }
    Ok(serde_json::Value::Object(map).to_string())
}

/// Submits a signed event (an envelope, as JSON) through the forum's one ingest path; with
/// `publish_to_nostr`, the server also publishes its Nostr form to relays. A refusal comes
/// back with the server's reason and a truthful status.
#[server(prefix = "/_fn", endpoint = "submit")]
pub async fn submit_event(
    event: String,
    publish_to_nostr: bool,
) -> Result<SubmitReply, UserFacingError> {
    let publish = if publish_to_nostr {
        forum::ingest::Publish::ToNostrRelays
    } else {
        forum::ingest::Publish::HereOnly
    };
    let forum = forum()?;
    check_client_address(&forum)?;
    match forum
        .submit_with(event.as_bytes(), forum::Origin::Submit, publish)
        .await
    {
        Ok(accepted) => {
            set_status(201);
            Ok(SubmitReply {
                message: accepted.in_words().to_owned(),
                spasmid: accepted.spasmid,
            })
        }
        Err(error) => {
            if let forum::SubmitError::Storage(cause) | forum::SubmitError::NotStored(cause) =
                &error
            {
                tracing::error!(error = %cause, "a submit failed in the store");
            }
            set_status(error.status());
            if let Some(seconds) = error.retry_after_secs() {
                set_retry_after(seconds);
            }
            Err(UserFacingError::BadRequest(error.in_words()))
        }
    }
}

/// The reactions the visitor's keys gave to the events of the page, which marks them
/// ([`forum::Forum::reactions_by`]: at most 2 keys and 500 ids). `signers` is the keys (an
/// Ethereum address, a Nostr key in hex, or both) and `ids` the events' ids, each separated
/// by spaces; the answer is a line `<id> <reaction name>` per reaction. Plain text rather
/// than lists: the thread's browser bundle already carries the code of text arguments and
/// answers (lists cost it 0.6 KB more of brotli).
#[server(prefix = "/_fn", endpoint = "own_reactions")]
pub async fn load_own_reactions(signers: String, ids: String) -> Result<String, UserFacingError> {
    let words = |text: &str| {
        text.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let reactions = forum()?
        .reactions_by(&words(&signers), &words(&ids))
        .await
        .map_err(read_failed)?;
    Ok(reactions
        .into_iter()
        .map(|(id, reaction)| format!("{id} {reaction}\n"))
        .collect())
}

/// The federation sources and feeds, each with its state in words, and the admin's list.
#[server(prefix = "/_fn", endpoint = "sources")]
pub async fn load_sources() -> Result<crate::model::SourcesView, UserFacingError> {
    use forum::network::pull::Mode;
    use forum::network::sources::ConfiguredBy;

    use crate::components::format_date;
    use crate::model::{SourceView, SourcesView};

    let forum = forum()?;
    let sources = forum.sources().await;
    let states = forum.store().job_states().await.map_err(|error| {
        tracing::error!(%error, "cannot read the jobs' state");
        UserFacingError::Internal
    })?;
    let admin_list = forum.federation_list().await.map_err(read_failed)?;
    let now = forum::service::now_ms();
    let views = sources
        .iter()
        .map(|source| {
            let state = states
                .iter()
                .find(|state| state.name == source.job_name())
                .cloned()
                .unwrap_or_default();
            let paused = source.paused || state.paused;
            let next_run = if state.run_requested {
                "as soon as possible (an admin asked)".to_owned()
            } else if paused {
                "not while paused".to_owned()
            } else if !forum.federation_enabled() {
                "never: federation is off on this instance".to_owned()
            } else if state.next_attempt_ms <= now {
                "now".to_owned()
            } else {
                format_date(state.next_attempt_ms)
            };
            let refused =
                serde_json::from_str::<std::collections::BTreeMap<String, i64>>(&state.refused)
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
            SourceView {
                name: source.name.clone(),
                url: source.shown_url(),
                configured_by: match source.configured_by {
                    ConfiguredBy::Environment => "the host (FEDERATION_CUSTOM_LINKS)",
                    ConfiguredBy::File => "the host (configuration file)",
                    ConfiguredBy::Admin => "an admin, on this page",
                }
                .to_owned(),
                by_admin: source.configured_by == ConfiguredBy::Admin,
                every: every_in_words(source.every.as_secs()),
                paused,
                kind: state
                    .mode
                    .as_deref()
                    .and_then(Mode::of)
                    .map_or("not pulled yet", Mode::describe)
                    .to_owned(),
                last_success: state.last_success_ms.map(format_date),
                last_error: state.last_error.clone(),
                last_error_at: state.last_error_ms.map(format_date),
                failures: state.failures,
                next_run,
                taken: state.taken,
                refused,
                last_report: state.last_report.clone(),
                possibly_incomplete_at: state.possibly_incomplete_ms.map(format_date),
            }
        })
        .collect();
    // The admin's list as signed, each entry with the name it goes by.
    let admin_list = match admin_list {
        Some((serde_json::Value::Array(mut entries), admin_sources)) => {
            for (entry, source) in entries.iter_mut().zip(&admin_sources) {
                if let Some(entry) = entry.as_object_mut() {
                    entry.insert("name".into(), serde_json::Value::from(source.name.clone()));
                }
            }
            serde_json::Value::Array(entries).to_string()
        }
        _ => "[]".to_owned(),
    };
    Ok(SourcesView {
        sources: views,
        admin_list,
        enabled: forum.federation_enabled(),
    })
}

/// `every 59 minutes`, `every hour`, `every 30 seconds`, `every 2 days`.
#[cfg(feature = "ssr")]
fn every_in_words(seconds: u64) -> String {
    let (count, unit) = match seconds {
        seconds if seconds % 86_400 == 0 => (seconds / 86_400, "day"),
        seconds if seconds % 3_600 == 0 => (seconds / 3_600, "hour"),
        seconds if seconds % 60 == 0 => (seconds / 60, "minute"),
        seconds => (seconds, "second"),
    };
    if count == 1 {
        format!("every {unit}")
    } else {
        format!("every {count} {unit}s")
    }
}

/// The moderation log, newest first: the [`MODERATION_LOG_LENGTH`] newest deletions and
/// restores, for the admin page.
#[server(prefix = "/_fn", endpoint = "moderations")]
pub async fn load_moderations() -> Result<Vec<crate::model::ModerationView>, UserFacingError> {
    use forum::query::Page;

    use super::view_model::author_view;
    use crate::model::ModerationView;

    let forum = forum()?;
    let display = Display::of(&forum.settings());
    let records = forum
        .moderations(Page::first(MODERATION_LOG_LENGTH))
        .await
        .map_err(read_failed)?;
    Ok(records
        .into_iter()
        .map(|record| ModerationView {
            // Written by this server as a JSON array of strings; anything else names nothing.
            target_ids: serde_json::from_str(&record.target_ids).unwrap_or_default(),
            moderator: author_view(&record.moderator, true, &display),
            undone: record
                .undone_at_ms
                .zip(record.undone_by)
                .map(|(at, by)| (at, author_view(&by, true, &display))),
            spasmid: record.spasmid,
            action: record.action,
            at_ms: record.at_ms,
        })
        .collect())
}

/// How many entries of the moderation log the admin page shows (the API pages through all).
pub const MODERATION_LOG_LENGTH: u32 = 50;
