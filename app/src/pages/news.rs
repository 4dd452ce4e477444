//! The post page: an event with its authors, body, reactions, reply form and comment tree.
//!
//! The page is rendered on the server; its reactions, reply forms and moderation are
//! islands. A reaction counts itself up; a reply or a deletion loads the page again, which
//! shows the thread as the server now has it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use spasm::action::{Action, Reaction};
use spasm::signing::Unsigned;

use crate::components::{
    AuthorLine, LiveNotice, NeedsJavaScript, NostrRelayStatus, Notice, PageMeta,
    PublishToNostrChoice, datetime_attribute, describe, format_date, plural, reaction_symbol,
    shown_time, sign_and_submit, use_signing,
};
use crate::model::{CommentNode, EventView, ParentData, ReactionCount, ThreadAnswer};
use crate::server_fns::{load_policy, load_thread};
use crate::urls::with_query;

/// `/news/:id`: any id of an event (spasmid, short prefix, Nostr id or note, signature, URL).
#[component]
pub fn NewsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let resource = Resource::new(id, load_thread);
    let policy = Resource::new(|| (), |()| load_policy());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match resource.await {
                    Ok(ThreadAnswer::Found(thread)) => {
                        // Without the policy nobody is offered moderation; the page still shows.
                        let moderators = policy.await.map(|policy| policy.moderators).unwrap_or_default();
                        let title = thread.event.headline();
                        let description = thread.event.excerpt.clone();
                        let canonical = thread.event.href.clone();
                        let feed = (
                            format!("Replies to {title}"),
                            with_query("/api/rss", [("parentId", thread.event.spasmid.as_str()), ("action", "reply")]),
                        );
                        view! {
                            <PageMeta title description canonical kind="article" feed />
                            <DeletableThread>
                                <EventArticle event=thread.event.clone() moderators />
                                {thread.nostr.clone().map(|publication| view! {
                                    <NostrRelayStatus id=thread.event.spasmid.clone() publication />
                                })}
                                <section class="comments" aria-labelledby="comments-title">
                                    <h2 id="comments-title">{format!("Comments ({})", thread.event.replies)}</h2>
                                    <PostReplyForm parent=thread.event.parent_data.clone() />
                                    <CommentList comments=thread.comments />
                                </section>
                            </DeletableThread>
                        }.into_any()
                    }
                    Ok(answer) => {
                        // A deleted event says by whom (410 Gone); others were never here.
                        let deleted = match answer {
                            ThreadAnswer::Deleted { by_author: true } => Some("This event was deleted by its author.".to_owned()),
                            ThreadAnswer::Deleted { by_author: false } => Some("This event was deleted by a moderator.".to_owned()),
                            _ => None,
                        };
                        #[cfg(feature = "ssr")]
                        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                            response.set_status(if deleted.is_some() { http::StatusCode::GONE } else { http::StatusCode::NOT_FOUND });
                        }
                        match deleted {
                            Some(words) => view! {
                                <PageMeta title="Event deleted" description=words.clone() />
                                <EventDeleted words />
                            }.into_any(),
                            None => view! {
                                <PageMeta title="Event not found" description="No event with this id is stored on this instance." />
                                <section class="card">
                                    <h1>"Event not found"</h1>
                                    <p>"No event with this id is stored on this instance. It may have been deleted by a moderator, or it never reached this server."</p>
                                    <p><a href="/">"Back to the feed"</a></p>
                                </section>
                            }.into_any(),
                        }
                    }
                    Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Event deleted", and by whom (`words`).
#[component]
fn EventDeleted(words: String) -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Event deleted"</h1>
            <p data-testid="deleted">{words}</p>
            <p><a href="/">"Back to the feed"</a></p>
        </section>
    }
}

/// Whether a moderator deleted the page's event from this page.
#[derive(Debug, Clone, Copy)]
struct DeletedHere(RwSignal<bool>);

/// The event and its thread (`children`, rendered on the server), replaced by "Event
/// deleted" once a moderator deletes the event from this page. (Loading the page again would
/// say so too, but as an HTTP error: 410 Gone.)
#[cfg_attr(any(feature = "ssr", feature = "thread-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "thread-islands")), component)]
fn DeletableThread(children: Children) -> impl IntoView {
    let deleted = RwSignal::new(false);
    provide_context(DeletedHere(deleted));
    view! {
        // Hidden rather than removed: children of an island exist only as the server's HTML.
        <div class="thread" hidden=move || deleted.get()>{children()}</div>
        <Show when=move || deleted.get()>
            <EventDeleted words="This event was deleted by a moderator.".to_owned() />
        </Show>
    }
}

/// The event itself; `moderators` may delete it.
#[component]
fn EventArticle(event: EventView, moderators: Vec<String>) -> impl IntoView {
    let headline = event.headline();
    let spasmid = event.spasmid.clone();
    view! {
        <article class="event" data-spasmid=spasmid>
            <h1><bdi>{headline}</bdi></h1>
            <p class="event-meta">
                <AuthorLine authors=event.authors.clone() />
                " · "
                <time datetime=datetime_attribute(event.added_at_ms)>{format!("added {}", format_date(event.added_at_ms))}</time>
                {event.signed_at_ms.map(|signed| view! { " · " <time datetime=datetime_attribute(signed)>{format!("signed {}", format_date(signed))}</time> })}
                {event.categories.first().cloned().map(|category| view! { " · " <a class="category" href=with_query("/", [("category", category.as_str())])><bdi>{category.clone()}</bdi></a> })}
                {event.source.clone().map(|source| view! { " · " <span class="source">"from " <bdi>{source}</bdi></span> })}
            </p>
            {event.parent_href.clone().map(|href| view! { <p class="in-reply-to">"In reply to " <a href=href>"this event"</a></p> })}
            <div class="event-body" dir="auto" inner_html=event.body_html.clone()></div>
            {event.link.clone().map(|link| view! {
                <p><a href=link rel="nofollow noopener ugc" target="_blank">"Read the full article ↗"</a></p>
            })}
            // Erased here, on the server, rather than in the island (where `AnyView` would
            // cost the bundle 10 KB): the page's whole type is otherwise too deep to compile.
            {view! { <PostActions target=event.parent_data counts=event.reactions moderators /> }.into_any()}
        </article>
    }
}

/// The reactions offered on the post `target`, with its `counts`, and for `moderators`
/// (lower-case addresses) its deletion. One island rather than two: each island costs the
/// bundle the code that reads its props.
#[cfg_attr(any(feature = "ssr", feature = "thread-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "thread-islands")), component)]
fn PostActions(
    target: ParentData,
    counts: Vec<ReactionCount>,
    moderators: Vec<String>,
) -> impl IntoView {
    let target = StoredValue::new(target);
    view! {
        <ReactionBar parent=target counts reactions=&Reaction::OFFERED_ON_POSTS />
        <ModeratorBar target moderators />
    }
}

/// For `moderators` (lower-case addresses), once connected: delete the event `target` (and
/// its replies), after a confirmation.
#[component]
fn ModeratorBar(target: StoredValue<ParentData>, moderators: Vec<String>) -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let is_moderator = move || signing.connected_is_one_of(&moderators);
    // Read here: event handlers and tasks run outside the island's owner.
    let deleted_here = use_context::<DeletedHere>();
    let open = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        #[cfg(feature = "hydrate")]
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    let confirm = move |_| {
        close();
        let info = target.with_value(ParentData::to_parent_info);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let deleted = sign_and_submit(
                signing,
                notice,
                describe(Action::Moderate, ""),
                Unsigned::ModerateDelete { parent: info },
            )
            .await;
            match (deleted, deleted_here) {
                (Some(_), Some(DeletedHere(deleted_here))) => deleted_here.set(true),
                (Some(_), None) => crate::browser::reload_page(),
                (None, _) => busy.set(false),
            }
        });
    };
    view! {
        <Show when=is_moderator>
            <div class="moderator-bar">
                <button type="button" class="button danger" disabled=move || busy.get() on:click=open>"Delete (moderator)"</button>
                <LiveNotice notice />
            </div>
        </Show>
        <dialog node_ref=dialog aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete this event?"</h2>
            <p>"It and every reply below it disappear from this forum, and it cannot be submitted again. An admin can undo this. Your wallet will ask you to sign the deletion."</p>
            <form method="dialog">
                <button type="submit" class="button" autofocus>"Cancel"</button>
                <button type="button" class="button danger" on:click=confirm>"Sign and delete"</button>
            </form>
        </dialog>
    }
}

/// Reaction buttons with counts; a click signs and submits the reaction, and its count
/// goes up once the forum has it.
#[component]
fn ReactionBar(
    /// What a reaction needs of the event; read only when someone reacts.
    parent: StoredValue<ParentData>,
    counts: Vec<ReactionCount>,
    reactions: &'static [Reaction],
) -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let counts = RwSignal::new(counts);
    view! {
        <div class="reactions" role="group" aria-label="React">
            {reactions.iter().copied().map(|reaction| {
                let name = reaction.name();
                let count = move || counts.with(|counts| counts.iter().find(|count| count.name == name).map_or(0, |count| count.total));
                let click = move |_| {
                    busy.set(true);
                    leptos::task::spawn_local(async move {
                        let info = parent.with_value(ParentData::to_parent_info);
                        let reply = sign_and_submit(signing, notice, describe(Action::React, name), Unsigned::React { parent: info, reaction }).await;
                        if reply.is_some() {
                            counts.update(|counts| match counts.iter_mut().find(|count| count.name == name) {
                                Some(count) => count.total += 1,
                                None => counts.push(ReactionCount { name: name.to_owned(), total: 1 }),
                            });
                        }
                        busy.set(false);
                    });
                };
                view! {
                    // The name and count in the text are the button's accessible name.
                    <button type="button" class="reaction" data-reaction=name
                        disabled=move || !signing.interactive.get() || busy.get()
                        on:click=click>
                        <span aria-hidden="true">{reaction_symbol(name)}</span>
                        " " {capitalise(name)} " " <span class="count">{count}</span>
                    </button>
                }
            }).collect_view()}
            <LiveNotice notice />
        </div>
    }
}

/// The reply form under the post `parent`.
#[cfg_attr(any(feature = "ssr", feature = "thread-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "thread-islands")), component)]
fn PostReplyForm(parent: ParentData) -> impl IntoView {
    view! { <ReplyForm parent /> }
}

/// A reply to `parent`: the text, then the wallet signs it; the page is then loaded again
/// and shows the reply in the thread.
#[component]
fn ReplyForm(parent: ParentData, #[prop(optional)] label: Option<String>) -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let text = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let field_id = format!("reply-{}", parent.ids.first().cloned().unwrap_or_default());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let content = text.get_untracked();
        if content.trim().is_empty() {
            notice.set(Notice::Error("Write something first.".to_owned()));
            return;
        }
        let info = parent.to_parent_info();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let reply_event = sign_and_submit(
                signing,
                notice,
                describe(Action::Reply, ""),
                Unsigned::Reply {
                    parent: info,
                    content,
                },
            )
            .await;
            match reply_event {
                Some(_) => crate::browser::reload_page(),
                None => busy.set(false),
            }
        });
    };
    view! {
        <form class="reply-form" on:submit=submit>
            <label for=field_id.clone()>{label.unwrap_or_else(|| "Your reply".to_owned())}</label>
            <textarea id=field_id.clone() rows="3" prop:value=move || text.get() on:input=move |event| text.set(event_target_value(&event))
                placeholder="Markdown works; HTML is shown as text."></textarea>
            <PublishToNostrChoice id=format!("{field_id}-nostr") />
            <NeedsJavaScript />
            <button type="submit" class="button primary" disabled=move || !signing.interactive.get() || busy.get()>"Sign and reply"</button>
            <LiveNotice notice />
        </form>
    }
    .into_any()
}

/// The comment tree: nested lists, each comment collapsible, each with its permalink.
#[component]
fn CommentList(comments: Vec<CommentNode>) -> impl IntoView {
    if comments.is_empty() {
        return view! { <p class="empty">"No comments yet."</p> }.into_any();
    }
    view! {
        <ol class="comment-list">
            {comments.into_iter().map(|node| view! { <li><Comment node /></li> }).collect_view()}
        </ol>
    }
    .into_any()
}

/// One comment with its replies, rendered on the server; its links, reactions and reply
/// form are an island.
#[component]
fn Comment(node: CommentNode) -> impl IntoView {
    let time = shown_time(&node.event);
    let EventView {
        spasmid,
        href,
        body_html,
        authors,
        reactions,
        parent_data,
        ..
    } = node.event;
    let anchor = format!("c-{spasmid}");
    let replies = node.replies;
    let reply_count = replies.len();
    view! {
        <article class="comment" id=anchor data-spasmid=spasmid>
            // The authors' links stand beside the toggle, not in it: a link inside a
            // `<summary>` is a control inside a control, which keyboards and screen readers
            // cannot reach apart.
            <p class="comment-head"><AuthorLine authors /></p>
            <details open>
                <summary>
                    <time datetime=datetime_attribute(time)>{format_date(time)}</time>
                    {(reply_count > 0).then(|| format!(" · {}", plural(reply_count as i64, "reply", "replies")))}
                </summary>
                <div class="event-body" dir="auto" inner_html=body_html></div>
                <CommentActions href target=parent_data counts=reactions />
                {(!replies.is_empty()).then(|| view! { <CommentList comments=replies /> })}
            </details>
        </article>
    }
    .into_any()
}

/// A comment's permalink (`href`), its reactions and, for a visitor who can sign, a reply
/// form to the comment `target`, shown when asked for.
#[cfg_attr(any(feature = "ssr", feature = "thread-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "thread-islands")), component)]
fn CommentActions(href: String, target: ParentData, counts: Vec<ReactionCount>) -> impl IntoView {
    let signing = use_signing();
    // The reply form exists only once asked for: without JavaScript nobody can sign, and
    // two hundred idle forms would make a long thread slow to render.
    let replying = RwSignal::new(false);
    let parent = StoredValue::new(target);
    view! {
        <p class="comment-links">
            <a href=href>"Permalink"</a>
            // Hidden until a visitor can sign; plain attributes and closures rather than
            // `Show`s, which cost a memo each on every comment of a long thread.
            <span hidden=move || !signing.interactive.get()>
                " · "
                <button type="button" class="link-button" aria-expanded=move || replying.get().to_string()
                    on:click=move |_| replying.update(|open| *open = !*open)>"Reply"</button>
            </span>
        </p>
        <ReactionBar parent counts reactions=&Reaction::OFFERED_ON_COMMENTS />
        {move || replying.get().then(|| view! {
            <ReplyForm parent=parent.get_value() label="Your reply to this comment".to_owned() />
        })}
    }
}

/// `upvote` → `Upvote` (reaction names are ASCII: no Unicode case tables in the bundle).
fn capitalise(name: &str) -> String {
    let mut capitalised = name.to_owned();
    if let Some(first) = capitalised.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    capitalised
}
