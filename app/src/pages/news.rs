//! The post page: an event with its authors, body, reactions, reply form and comment tree.
//!
//! The page is rendered on the server. One island for the whole thread makes every reaction
//! button, reply form and moderator's delete work ([`super::thread_actions`]), and the
//! post's later publication to Nostr relays.
//! A reaction counts itself up; a reply loads the page again at the reply; a moderator's
//! deletion replaces the thread with "Event deleted", or a comment with words saying so.
//! A comment's own address shows it in its thread ([`CommentInThread`]).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use spasm::action::{Action, Reaction};
use spasm::signing::Unsigned;

use super::thread_actions::{DeleteDialog, EventActions};
use crate::components::{
    AuthorLine, InstanceRelays, LiveNotice, MarkdownPreview, NeedsJavaScript, NostrRelayStatus,
    Notice, PageMeta, PublishToNostrChoice, datetime_attribute, describe, format_date, plural,
    shown_time, sign_and_submit, use_signing,
};
use crate::model::{CommentNode, EventView, ParentData, ThreadAnswer, ThreadView};
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
                        // Without the policy nobody is offered moderation, and the composers
                        // name no relays of the instance; the page still shows.
                        let (moderators, relays) = policy
                            .await
                            .map(|policy| (policy.moderators, policy.nostr_relays))
                            .unwrap_or_default();
                        if !thread.path.is_empty() {
                            return view! { <CommentInThread thread=*thread moderators /> <InstanceRelays relays /> }.into_any();
                        }
                        let title = thread.event.headline();
                        let description = thread.event.excerpt.clone();
                        // The full id: a short one resolves only while the instance keeps them.
                        let canonical = format!("/news/{}", crate::urls::path_segment(&thread.event.spasmid));
                        let feed = (
                            format!("Replies to {title}"),
                            with_query("/api/rss", [("parentId", thread.event.spasmid.as_str()), ("action", "reply")]),
                        );
                        view! {
                            <PageMeta title description canonical kind="article" feed />
                            <Thread moderators>
                                <EventArticle event=thread.event.clone() />
                                {thread.nostr.clone().map(|publication| view! {
                                    <NostrRelayStatus id=thread.event.spasmid.clone() publication />
                                })}
                                <section class="comments" aria-labelledby="comments-title">
                                    <h2 id="comments-title">{format!("Comments ({})", thread.event.replies)}</h2>
                                    <NeedsJavaScript />
                                    <PostReplyForm parent=thread.event.parent_data.clone() />
                                    <CommentList comments=thread.comments />
                                </section>
                                <DeleteDialog />
                            </Thread>
                            <InstanceRelays relays />
                        }.into_any()
                    }
                    Ok(answer) => {
                        // A deleted event says by whom (410 Gone); others were never here.
                        if let ThreadAnswer::Muted(words) = answer {
                            return view! {
                                <PageMeta title="Hidden by your mutes" description=words.clone() />
                                <section class="card">
                                    <h1>"Hidden by your mutes"</h1>
                                    <p>{words}</p>
                                    <p><a href="/mutes">"Your mutes"</a>" · "<a href="/">"Back to the feed"</a></p>
                                </section>
                            }.into_any();
                        }
                        let deleted = match answer {
                            ThreadAnswer::Deleted { by_author: true } => Some("This event was deleted by its author.".to_owned()),
                            ThreadAnswer::Deleted { by_author: false } => Some("This event was deleted by a moderator.".to_owned()),
                            _ => None,
                        };
                        #[cfg(feature = "ssr")]
                        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                            response.set_status(if deleted.is_some() { http::StatusCode::GONE } else { http::StatusCode::NOT_FOUND });
                        }
                        let by_moderator = matches!(answer, ThreadAnswer::Deleted { by_author: false });
                        match deleted {
                            Some(words) => view! {
                                <PageMeta title="Event deleted" description=words.clone() />
                                <EventDeleted words by_moderator />
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

/// "Event deleted", and by whom (`words`); where a moderator deleted it, where admins undo it.
#[component]
fn EventDeleted(words: String, #[prop(optional)] by_moderator: bool) -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Event deleted"</h1>
            <p data-testid="deleted">{words}</p>
            {by_moderator.then(|| view! {
                <p class="hint">"The instance's admins can restore it from the " <a href="/admin#moderation-log">"moderation log"</a> "."</p>
            })}
            <p><a href="/">"Back to the feed"</a></p>
        </section>
    }
}

/// The event and its thread (`children`, rendered on the server): the one island that makes
/// every reaction button and reply toggle in it work ([`super::thread_actions`]), and that
/// replaces it all with "Event deleted" once a moderator deletes the event from this page.
/// (Loading the page again would say so too, but as an HTTP error: 410 Gone.)
#[cfg_attr(any(feature = "ssr", feature = "thread-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "thread-islands")), component)]
fn Thread(children: Children, moderators: Vec<String>) -> impl IntoView {
    let deleted = RwSignal::new(false);
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let on_click = {
        let signing = crate::components::use_signing();
        Effect::new(move |_| {
            if signing.interactive.get()
                && let Some(root) = root.get()
            {
                super::thread_actions::browser::enable(&root);
            }
        });
        // A connected moderator deletes comments where they are.
        let moderators = StoredValue::new(moderators);
        Effect::new(move |_| {
            let shown =
                signing.interactive.get() && moderators.with_value(|keys| signing.is_one_of(keys));
            if let Some(root) = root.get() {
                super::thread_actions::browser::show_moderation(&root, shown);
            }
        });
        // The post's Nostr signer may publish it to relays later.
        Effect::new(move |_| {
            let key = signing.nostr.get().filter(|_| signing.interactive.get());
            if let Some(root) = root.get() {
                super::thread_actions::browser::show_publish_later(&root, key.as_deref());
            }
        });
        // The connected keys' own reactions, marked again whenever the keys change.
        Effect::new(move |_| {
            let signers: Vec<String> = signing
                .wallet
                .get()
                .map(|(_, account)| account)
                .into_iter()
                .chain(signing.nostr.get())
                .collect();
            if signing.interactive.get()
                && let Some(root) = root.get()
            {
                leptos::task::spawn_local(super::thread_actions::browser::mark_own_reactions(
                    root.into(),
                    signers,
                ));
            }
        });
        let owner = Owner::current().unwrap_or_default();
        move |event: leptos::ev::MouseEvent| {
            moderators.with_value(|moderators| {
                super::thread_actions::browser::on_click(&event, &owner, moderators, deleted);
            });
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_click = {
        let _ = moderators;
        |_: leptos::ev::MouseEvent| {}
    };
    view! {
        // Hidden rather than removed: children of an island exist only as the server's HTML.
        <div class="thread" node_ref=root hidden=move || deleted.get() on:click=on_click>{children()}</div>
        <Show when=move || deleted.get()>
            <EventDeleted words="This event was deleted by a moderator.".to_owned() by_moderator=true />
        </Show>
    }
}

/// The event itself (which a connected moderator may delete: [`EventActions`]).
#[component]
fn EventArticle(event: EventView) -> impl IntoView {
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
            <EventActions parent=event.parent_data.clone() counts=event.reactions reactions=&Reaction::OFFERED_ON_POSTS />
        </article>
    }
}

/// A comment's own page (its permalink): the way from the thread's post down to it, the
/// comment highlighted with the replies below it, and a link to it in the whole thread.
#[component]
fn CommentInThread(thread: ThreadView, moderators: Vec<String>) -> impl IntoView {
    let ThreadView {
        event,
        comments,
        path,
        nostr,
    } = thread;
    let (post, steps) = path
        .split_first()
        .map_or((None, &[][..]), |(post, steps)| (Some(post), steps));
    let post_href = post.map(|post| post.href.clone()).unwrap_or_default();
    let post_headline = post.map(EventView::headline).unwrap_or_default();
    let title = format!("A comment on “{post_headline}”");
    let in_thread = format!("{post_href}#c-{}", event.spasmid);
    let has_steps = !steps.is_empty();
    let steps = steps
        .iter()
        .map(|step| {
            let href = format!("{post_href}#c-{}", step.spasmid);
            view! {
                <li>
                    <AuthorLine authors=step.authors.clone() />
                    ": "
                    <a href=href><bdi>{step.excerpt.clone()}</bdi></a>
                </li>
            }
        })
        .collect_view();
    let publication = nostr.map(|publication| {
        view! {
            <NostrRelayStatus id=event.spasmid.clone() publication />
        }
    });
    let description = event.excerpt.clone();
    let canonical = format!("/news/{}", crate::urls::path_segment(&event.spasmid));
    let node = CommentNode {
        event,
        muted: None,
        replies: comments,
    };
    view! {
        <PageMeta title description canonical kind="article" />
        <Thread moderators>
            <nav class="thread-path card" aria-label="Where this comment is">
                <h1>"A comment on " <a href=post_href><bdi>{post_headline}</bdi></a></h1>
                {has_steps.then(|| view! { <ol class="thread-path-steps">{steps}</ol> })}
            </nav>
            <NeedsJavaScript />
            <ol class="comment-list">
                <li><Comment node highlighted=true /></li>
            </ol>
            {publication}
            <p><a href=in_thread>"Show it in the whole thread"</a></p>
            <DeleteDialog />
        </Thread>
    }
}

/// The reply form under the post `parent`, rendered on the server as it is before the page
/// can sign; the thread's island puts a live one in its place
/// ([`super::thread_actions::browser::enable`]), rather than hydrating an island of its own:
/// the thread's bundle then carries the form's code once, not a second time for hydration.
#[component]
fn PostReplyForm(parent: ParentData) -> impl IntoView {
    // A page rendered with data it cannot write as JSON offers no reply rather than fail.
    let parent_json = serde_json::to_string(&parent).unwrap_or_default();
    view! {
        <div class="post-reply" data-parent=parent_json>
            <ReplyForm parent />
        </div>
    }
}

/// A reply to `parent`: the text (`draft` to begin with), then the wallet signs it; the page
/// is then loaded again and shows the reply in the thread.
#[component]
pub(super) fn ReplyForm(
    parent: ParentData,
    #[prop(optional)] label: Option<String>,
    #[prop(optional)] draft: String,
) -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let text = RwSignal::new(draft);
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
                Some(reply) => crate::browser::reload_page_at(&format!("c-{}", reply.spasmid)),
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
            <MarkdownPreview />
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

/// One comment with its replies, rendered on the server; the thread's island makes its
/// reactions and reply toggle work. `highlighted`: the comment its own page is about.
#[component]
fn Comment(node: CommentNode, #[prop(optional)] highlighted: bool) -> impl IntoView {
    let time = shown_time(&node.event);
    // Replies deeper than the page shows continue on the comment's own page.
    let not_shown = if node.replies.is_empty() {
        node.event.replies
    } else {
        0
    };
    let reply_count = node.reply_total() + usize::try_from(not_shown).unwrap_or(0);
    let continue_href = (not_shown > 0).then(|| node.event.href.clone());
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
    if let Some(words) = node.muted {
        // What the visitor muted is not rendered; the answers below it are.
        return view! {
            <article class="comment comment-muted" id=anchor data-spasmid=spasmid>
                <p class="muted-stub">{words}" "<a href="/mutes">"Your mutes"</a></p>
                {(!replies.is_empty()).then(|| view! { <CommentList comments=replies /> })}
            </article>
        }
        .into_any();
    }
    view! {
        <article class="comment" class:highlighted=highlighted id=anchor data-spasmid=spasmid>
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
                <EventActions parent=parent_data counts=reactions reactions=&Reaction::OFFERED_ON_COMMENTS permalink=href />
                {(!replies.is_empty()).then(|| view! { <CommentList comments=replies /> })}
                {continue_href.map(|href| view! {
                    <p class="continue-thread"><a href=href>{format!("Continue this thread ({}) →", plural(not_shown, "reply", "replies"))}</a></p>
                })}
            </details>
        </article>
    }
    .into_any()
}
