//! `/search`: full-text search over posts and comments, with the feed's filters, found words
//! marked, older results by cursor. A plain form: it works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::home::CATEGORIES;
use crate::components::{
    AuthorLine, Counts, LoadMore, MutedNote, PageMeta, datetime_attribute, format_date, shown_time,
};
use crate::model::{Marked, SearchResult};
use crate::server_fns::load_search;
use crate::urls::with_query;

/// What a search may be limited to: `what` as the form sends it, and its words.
const KINDS: [(&str, &str); 3] = [
    ("", "Posts and comments"),
    ("post", "Posts"),
    ("reply", "Comments"),
];

/// The search page.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).filter(|value| !value.is_empty());
    let words = move || param("q");
    let what = move || param("what").filter(|what| KINDS.iter().any(|(value, _)| value == what));
    let category = move || param("category").filter(|category| category != "any");
    let before = move || param("before").and_then(|value| value.parse::<i64>().ok());
    let results = Resource::new(
        move || (words(), what(), category(), before()),
        |(words, what, category, before)| async move {
            match words {
                Some(words) => Some(load_search(words, what, category, before).await),
                None => None,
            }
        },
    );
    // The next page of these results (`before` a key), and the same search as RSS from the
    // API (where `what` is called `action`), to follow it in a feed reader.
    let address = move |path: &str, what_name: &str, (name, value): (&str, Option<String>)| {
        let (words, what, category) = (words(), what(), category());
        let pairs = [
            ("q", words.as_deref()),
            (what_name, what.as_deref()),
            ("category", category.as_deref()),
            (name, value.as_deref()),
        ];
        with_query(
            path,
            pairs
                .into_iter()
                .filter_map(|(name, value)| Some((name, value?))),
        )
    };
    let title = move || match words() {
        Some(words) => format!("Search: {words}"),
        None => "Search".to_owned(),
    };
    view! {
        {move || {
            let feed = words().map(|words| (format!("Spasm forum: search for {words}"), address("/api/search", "action", ("format", Some("rss".to_owned())))));
            match feed {
                Some(feed) => view! { <PageMeta title=title() description="Search the posts and comments of this forum." feed /> }.into_any(),
                None => view! { <PageMeta title=title() description="Search the posts and comments of this forum." /> }.into_any(),
            }
        }}
        <h1>"Search"</h1>
        <form class="search-form card" action="/search" method="get" role="search" aria-label="Search with filters">
            <p class="search-words">
                <label for="search-words">"Words"</label>
                <input id="search-words" type="search" name="q" value=move || words().unwrap_or_default()
                    maxlength="200" required aria-describedby="search-rules" />
            </p>
            <p class="search-filters">
                <label for="search-what">"In"</label>
                <select id="search-what" name="what">
                    {KINDS.into_iter().map(|(value, label)| view! {
                        <option value=value selected=move || what().as_deref().unwrap_or_default() == value>{label}</option>
                    }).collect_view()}
                </select>
                <label for="search-category">"Category"</label>
                <select id="search-category" name="category">
                    <option value="" selected=move || category().is_none()>"Any category"</option>
                    {CATEGORIES.into_iter().map(|name| view! {
                        <option value=name selected=move || category().as_deref() == Some(name)>{name}</option>
                    }).collect_view()}
                    // A category from a link that the list does not offer stays chosen.
                    {move || category().filter(|name| !CATEGORIES.contains(&name.as_str())).map(|name| view! {
                        <option value=name.clone() selected=true>{name.clone()}</option>
                    })}
                </select>
                <button class="button primary" type="submit">"Search"</button>
            </p>
            <p id="search-rules" class="hint">
                "Finds posts and comments with every word, newest first. A word of three letters or more also finds longer words that start with it."
            </p>
        </form>
        <section class="feed search-results" aria-label="Search results">
            <Suspense fallback=|| view! { <p class="loading">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        None => ().into_any(),
                        Some(Ok(page)) if page.results.is_empty() => view! {
                            <MutedNote count=page.muted />
                            <p class="empty" role="status">
                                {if before().is_some() { "No more results." } else { "Nothing found. Try other or fewer words, or another category." }}
                            </p>
                        }.into_any(),
                        Some(Ok(page)) => {
                            let more_href = page.next_before.map(|before| address("/search", "what", ("before", Some(before.to_string()))));
                            view! {
                                <MutedNote count=page.muted />
                                <ol class="event-list">
                                    {page.results.into_iter().map(|result| view! { <li><SearchResultCard result /></li> }).collect_view()}
                                </ol>
                                {more_href.map(|href| view! { <LoadMore href /> })}
                            }.into_any()
                        }
                        Some(Err(error)) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Text with its found words in `<mark>`.
fn marked_text(pieces: Vec<Marked>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|piece| {
            if piece.marked {
                view! { <mark>{piece.text}</mark> }.into_any()
            } else {
                piece.text.into_any()
            }
        })
        .collect_view()
}

/// A found post or comment: its title (or what a comment answers), who and when, and its
/// text around the first found word.
#[component]
fn SearchResultCard(result: SearchResult) -> impl IntoView {
    let SearchResult {
        event,
        title,
        excerpt,
    } = result;
    let headline = if !title.is_empty() {
        view! { <bdi>{marked_text(title)}</bdi> }.into_any()
    } else if event.action == "reply" {
        let answered = event
            .parent_title
            .clone()
            .unwrap_or_else(|| "a post".to_owned());
        view! { "Comment on " <bdi>{answered}</bdi> }.into_any()
    } else {
        view! { <bdi>{event.headline()}</bdi> }.into_any()
    };
    let (spasmid, href, authors) = (
        event.spasmid.clone(),
        event.href.clone(),
        event.authors.clone(),
    );
    let time = shown_time(&event);
    let category = event.categories.first().cloned();
    view! {
        <article class="event-card search-result" data-spasmid=spasmid>
            <h2 class="event-title"><a href=href>{headline}</a></h2>
            <p class="event-meta">
                <AuthorLine authors />
                " · "
                <time datetime=datetime_attribute(time)>{format_date(time)}</time>
                {category.map(|category| view! { " · " <bdi class="category">{category}</bdi> })}
            </p>
            {(!excerpt.is_empty()).then(|| view! { <p class="search-excerpt"><bdi>{marked_text(excerpt)}</bdi></p> })}
            <Counts event=event />
        </article>
    }
}
