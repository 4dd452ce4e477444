//! An event in a list: headline, who, when, where, and its counts.

use leptos::prelude::*;
use spasm::action::{Action, Reaction};

use crate::model::{AuthorView, EventView};

/// A date as people read it, in UTC (the same on the server and in the browser).
pub fn format_date(milliseconds: i64) -> String {
    let (year, month, day) = civil_date(milliseconds.div_euclid(86_400_000));
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month_name = MONTHS[usize::try_from(month - 1).unwrap_or(0).min(11)];
    let minutes = milliseconds.div_euclid(60_000).rem_euclid(1_440);
    format!(
        "{day} {month_name} {year}, {:02}:{:02} UTC",
        minutes / 60,
        minutes % 60
    )
}

/// `(year, month, day)` of `days` since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let year = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = if month <= 2 { year + 1 } else { year };
    (year, month, day)
}

/// The authors of an event, each linking to their page, with a mark when verified.
#[component]
pub fn AuthorLine(authors: Vec<AuthorView>) -> impl IntoView {
    if authors.is_empty() {
        return view! { <span class="author">"anonymous"</span> }.into_any();
    }
    view! {
        <span class="authors">
            {authors.into_iter().map(|author| {
                let label = if author.verified {
                    format!("{} address, signature verified by this server", author.network)
                } else {
                    format!("{} address, not signed by it", author.network)
                };
                view! {
                    <a class="author" href=author.href title=label.clone()>
                        <svg class="identicon" viewBox="0 0 8 8" width="16" height="16" aria-hidden="true" shape-rendering="crispEdges" inner_html=author.identicon_paths></svg>
                        {match author.name {
                            Some(name) => view! {
                                <bdi class="author-name">{name}</bdi>
                                " "
                                <code class="author-address">{format!("({})", author.short)}</code>
                            }.into_any(),
                            None => view! { <code class="author-address">{author.short}</code> }.into_any(),
                        }}
                        {author.verified.then(|| view! {
                            <span class="verified-mark" aria-label=label.clone()>" ✓"</span>
                        })}
                    </a>
                    " "
                }
            }).collect_view()}
        </span>
    }
    .into_any()
}

/// Non-zero reaction counts and the reply count, as text.
#[component]
pub fn Counts(event: EventView) -> impl IntoView {
    let reactions = event.reactions.clone();
    let replies = event.replies;
    view! {
        <ul class="counts" aria-label="Reactions and replies">
            {reactions.into_iter().filter(|reaction| reaction.total > 0).map(|reaction| view! {
                <li data-reaction=reaction.name.clone()>
                    <span aria-hidden="true">{reaction_symbol(&reaction.name)}" "</span>
                    {reaction_count(&reaction.name, reaction.total)}
                </li>
            }).collect_view()}
            // A post's whole discussion is its comments; below a comment, its replies.
            <li data-count="replies">{if event.action == "post" { plural(replies, "comment", "comments") } else { plural(replies, "reply", "replies") }}</li>
        </ul>
    }
}

/// The symbol shown beside a reaction's name (in fonts every system has).
pub fn reaction_symbol(name: &str) -> &'static str {
    match Reaction::of(name) {
        Some(Reaction::Bullish) => "↗",
        Some(Reaction::Bearish) => "↘",
        Some(Reaction::Important) => "!",
        Some(Reaction::Scam) => "⊘",
        Some(Reaction::Upvote) => "▲",
        Some(Reaction::Downvote) => "▼",
        _ => "•",
    }
}

/// `1 upvote`, `5 upvotes`, `3 bullish`: how many gave a reaction, the names that are
/// things (upvote, laugh, rocket…) counted in the plural, the ones that describe (bullish,
/// important, sad…) as they are.
pub fn reaction_count(name: &str, total: i64) -> String {
    match Reaction::of(name) {
        Some(
            Reaction::Bullish
            | Reaction::Bearish
            | Reaction::Important
            | Reaction::Scam
            | Reaction::Toxic
            | Reaction::Sad,
        )
        | None => format!("{total} {name}"),
        Some(_) => plural(total, name, &format!("{name}s")),
    }
}

/// When an event was made, as the page shows it: when it was signed, unless that claims a
/// time after this server received it (a clock ahead, or a lie) or before 1970, then when
/// it was received.
pub fn shown_time(event: &EventView) -> i64 {
    event
        .signed_at_ms
        .filter(|signed| (0..=event.added_at_ms).contains(signed))
        .unwrap_or(event.added_at_ms)
}

/// `milliseconds` since the epoch as a `<time datetime>` value (`2024-10-27T03:33:20Z`).
pub fn datetime_attribute(milliseconds: i64) -> String {
    let seconds = milliseconds.div_euclid(1_000);
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

/// `1 reply`, `2 replies`.
pub fn plural(count: i64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A post card in the feed or on an author page; `pinned` says the host pinned it.
#[component]
pub fn EventCard(event: EventView, #[prop(optional)] pinned: bool) -> impl IntoView {
    let headline = event.headline();
    let kind = if Action::of(&event.action) == Action::Reply {
        "Reply"
    } else {
        "Post"
    };
    let spasmid = event.spasmid.clone();
    // What it answers, by its headline where the page knows it.
    let answered = event.parent_href.clone().map(|href| {
        let title = event
            .parent_title
            .clone()
            .unwrap_or_else(|| "an event".to_owned());
        (href, title)
    });
    if Action::of(&event.action) == Action::React {
        // A reaction is a line, not a post: who, which, to what, when.
        let name = event.excerpt.clone();
        return view! {
            <article class="event-card reaction-card" data-spasmid=spasmid>
                <p class="reaction-line">
                    <AuthorLine authors=event.authors.clone() />
                    " reacted "
                    <span aria-hidden="true">{reaction_symbol(&name)}" "</span>
                    <bdi class="reaction-name">{name.clone()}</bdi>
                    {answered.map(|(href, title)| view! { " to " <a href=href><bdi>{title}</bdi></a> })}
                </p>
                <p class="event-meta">
                    <time datetime=datetime_attribute(shown_time(&event))>{format_date(shown_time(&event))}</time>
                </p>
            </article>
        }
        .into_any();
    }
    view! {
        <article class="event-card" data-spasmid=spasmid>
            <h2 class="event-title">
                <a href=event.href.clone()><bdi>{headline}</bdi></a>
            </h2>
            <p class="event-meta">
                {pinned.then(|| view! { <span class="pinned-mark">"Pinned"</span> " · " })}
                <span class="visually-hidden">{format!("{kind} by ")}</span>
                <AuthorLine authors=event.authors.clone() />
                " · "
                <time datetime=datetime_attribute(shown_time(&event))>{format_date(shown_time(&event))}</time>
                {event.categories.first().cloned().map(|category| view! { " · " <bdi class="category">{category}</bdi> })}
                {event.source.clone().map(|source| view! { " · " <span class="source">"from " <bdi>{source}</bdi></span> })}
            </p>
            {answered.map(|(href, title)| view! { <p class="in-reply-to">"In reply to " <a href=href><bdi>{title}</bdi></a></p> })}
            <Counts event=event />
        </article>
    }
    .into_any()
}

/// A page of events as a list, with a "Load more" link to `more_href` when there is more
/// (which adds the next page to the list where JavaScript runs: [`crate::browser::load_more`]).
#[component]
pub fn EventList(events: Vec<EventView>, more_href: Option<String>) -> impl IntoView {
    view! {
        <ol class="event-list">
            {events.into_iter().map(|event| view! { <li><EventCard event /></li> }).collect_view()}
        </ol>
        {more_href.map(|href| view! { <LoadMore href /> })}
    }
}

/// How many events of a list the visitor's mutes left out, with the way to change them;
/// nothing when none.
#[component]
pub fn MutedNote(count: usize) -> impl IntoView {
    (count > 0).then(|| {
        let words = if count == 1 {
            "1 hidden by your mutes. ".to_owned()
        } else {
            format!("{count} hidden by your mutes. ")
        };
        view! { <p class="hint muted-note">{words}<a href="/mutes">"Your mutes"</a></p> }
    })
}

/// A "Load more" link to the next page of the list above it (`ol.event-list`), which adds
/// that page's items to the list where JavaScript runs ([`crate::browser::load_more`]).
#[component]
pub fn LoadMore(href: String) -> impl IntoView {
    view! {
        <a class="button load-more" href=href rel="next">"Load more"</a>
        <p class="load-more-status" role="status"></p>
        <script nonce=leptos::nonce::use_nonce()>{crate::browser::load_more::load_more_script()}</script>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_dates_in_utc() {
        assert_eq!(format_date(0), "1 Jan 1970, 00:00 UTC");
        assert_eq!(format_date(1_730_000_000_000), "27 Oct 2024, 03:33 UTC");
        assert_eq!(format_date(951_782_400_000), "29 Feb 2000, 00:00 UTC");
        assert_eq!(
            datetime_attribute(1_730_000_000_000),
            "2024-10-27T03:33:20Z"
        );
    }

    #[test]
    fn counts_say_what_people_gave() {
        assert_eq!(reaction_count("upvote", 1), "1 upvote");
        assert_eq!(reaction_count("upvote", 5), "5 upvotes");
        assert_eq!(reaction_count("bullish", 3), "3 bullish");
        assert_eq!(reaction_count("important", 2), "2 important");
    }
}
