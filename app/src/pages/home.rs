//! The front page: the feed of posts with its filters, and the newest comments.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{AuthorLine, EventCard, EventList, MutedNote, PageMeta};
use crate::server_fns::{load_feed, load_latest_comments};
use crate::urls::with_query;

/// Categories offered in the filter (as the existing client's default list).
pub const CATEGORIES: [&str; 5] = ["defi", "nft", "privacy", "politics", "tech"];

/// The feed: Hot, Rising or All, a category, newest first, with a link to older posts; the
/// host's pinned posts first while no category is chosen.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let activity = move || {
        query
            .read()
            .get("activity")
            .filter(|value| value == "hot" || value == "rising")
    };
    let category = move || {
        query
            .read()
            .get("category")
            .filter(|value| !value.is_empty() && value != "any")
    };
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|value| value.parse::<i64>().ok())
    };
    let comments = Resource::new(|| (), |()| load_latest_comments());
    let feed = Resource::new(
        move || (activity(), category(), before()),
        |(activity, category, before)| load_feed(activity, category, before),
    );
    // The current query is re-used in these links: every value is encoded again.
    let link = move |activity: Option<&str>, category: Option<String>| {
        let activity = activity.map(|activity| ("activity", activity));
        let category = category.as_deref().map(|category| ("category", category));
        with_query("/", activity.into_iter().chain(category))
    };
    view! {
        <PageMeta title="" description="A federated forum where every post is signed by its author and verified by this server." canonical="/"
            feed=("Spasm forum: posts".to_owned(), "/api/rss".to_owned()) />
        <section class="intro" aria-labelledby="intro-title">
            <h1 id="intro-title">"Spasm forum"</h1>
            <p>
                "Read without an account. Post, reply and react by signing with the keys you already hold: "
                "an Ethereum wallet or a Nostr extension. " <a href="/about">"How it works"</a>
            </p>
        </section>
        <nav class="feed-filters" aria-label="Feed filters">
            <ul class="tabs">
                {[("Hot", Some("hot")), ("Rising", Some("rising")), ("All", None)].into_iter().map(|(label, value)| {
                    let href = move || link(value, category());
                    let current = move || (activity().as_deref() == value).then_some("page");
                    view! { <li><a href=href aria-current=current>{label}</a></li> }
                }).collect_view()}
            </ul>
            <ul class="categories">
                <li><a href=move || link(activity().as_deref(), None) aria-current=move || category().is_none().then_some("page")>"Any category"</a></li>
                {CATEGORIES.into_iter().map(|name| {
                    let href = move || link(activity().as_deref(), Some(name.to_owned()));
                    let current = move || (category().as_deref() == Some(name)).then_some("page");
                    view! { <li><a href=href aria-current=current>{name}</a></li> }
                }).collect_view()}
                // A category from a post's link that the list does not offer: shown as the
                // current filter, so that a reader sees the feed is filtered.
                {move || category().filter(|name| !CATEGORIES.contains(&name.as_str())).map(|name| {
                    let href = link(activity().as_deref(), Some(name.clone()));
                    view! { <li><a href=href aria-current="page"><bdi>{name}</bdi></a></li> }
                })}
            </ul>
        </nav>
        <section class="feed" aria-label="Posts">
            <Suspense fallback=|| view! { <p class="loading">"Loading posts…"</p> }>
                {move || Suspend::new(async move {
                    match feed.await {
                        Ok(page) if page.events.is_empty() && page.pinned.is_empty() && page.muted == 0 => view! {
                            <p class="empty">"No posts here yet. " <a href="/newpost">"Write the first one"</a></p>
                        }.into_any(),
                        Ok(page) => {
                            let more_href = page.next_before.map(|before| {
                                let activity = activity();
                                let category = category();
                                let before = before.to_string();
                                let pairs = [("activity", activity.as_deref()), ("category", category.as_deref()), ("before", Some(before.as_str()))];
                                with_query("/", pairs.into_iter().filter_map(|(name, value)| Some((name, value?))))
                            });
                            let pinned = (!page.pinned.is_empty()).then(|| view! {
                                <ol class="pinned-list" aria-label="Pinned by this forum">
                                    {page.pinned.into_iter().map(|event| view! { <li><EventCard event pinned=true /></li> }).collect_view()}
                                </ol>
                            });
                            view! { {pinned} <MutedNote count=page.muted /> <EventList events=page.events more_href /> }.into_any()
                        }
                        Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="latest-comments" aria-labelledby="latest-comments-title">
            <h2 id="latest-comments-title">"Latest comments"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading comments…"</p> }>
                {move || Suspend::new(async move {
                    match comments.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No comments yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="comment-summaries">
                                {list.into_iter().map(|comment| view! {
                                    <li>
                                        <a href=comment.parent_href.clone().unwrap_or_else(|| comment.href.clone())><bdi>{comment.excerpt.clone()}</bdi></a>
                                        " — " <AuthorLine authors=comment.authors.clone() />
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(_) => view! { <p class="notice notice-error">"The latest comments could not be loaded. Try again later."</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
