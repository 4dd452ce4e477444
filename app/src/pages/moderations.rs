//! The admin page's moderation log: every deletion by a moderator and every restore by an
//! admin, newest first (what `GET /api/moderations` serves), in words for anyone; for a
//! connected admin, "Restore" beside each deletion that stands. The log is rendered on the
//! server; the restore buttons are islands.

use leptos::prelude::*;
use spasm::action::Action;
use spasm::body::ParentInfo;
use spasm::signing::Unsigned;

use super::sources::sign_admin;
use crate::components::{
    AuthorLine, LiveNotice, Notice, datetime_attribute, describe, format_date, use_signing,
};
use crate::model::ModerationView;
use crate::server_fns::{MODERATION_LOG_LENGTH, load_moderations};

/// The moderation log section; `admins` may restore what moderators deleted.
#[component]
pub fn ModerationLog(admins: Resource<Vec<String>>) -> impl IntoView {
    let log = Resource::new(|| (), |()| load_moderations());
    view! {
        <section class="card" id="moderation-log" aria-labelledby="moderation-log-heading">
            <h2 id="moderation-log-heading">"Moderation log"</h2>
            <p class="hint">
                {format!("The {MODERATION_LOG_LENGTH} newest deletions by moderators and restores by admins, newest first. ")}
                "A deletion hides the event and every reply below it; restoring it shows them all again. "
                <a href="/api/moderations">"The whole log as JSON"</a>
            </p>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let admins = admins.await;
                    match log.await {
                        Ok(entries) if entries.is_empty() => view! {
                            <p data-testid="no-moderations">"Nothing has been moderated on this instance."</p>
                        }.into_any(),
                        Ok(entries) => view! {
                            <ol class="moderation-log">
                                {entries.into_iter().map(|entry| view! { <ModerationEntry entry admins=admins.clone() /> }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(error) => view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// One entry: when, who, what, and whether an admin undid it.
#[component]
fn ModerationEntry(entry: ModerationView, admins: Vec<String>) -> impl IntoView {
    let ModerationView {
        action,
        moderator,
        target_ids,
        at_ms,
        undone,
        ..
    } = entry;
    let deleted = action == "delete";
    let target = target_ids.first().cloned().unwrap_or_default();
    let verb = if deleted { " deleted " } else { " restored " };
    let standing = deleted && undone.is_none();
    let undone = undone.map(|(at, by)| {
        view! {
            <span class="undone">
                " · restored by " <AuthorLine authors=vec![by] />
                <time datetime=datetime_attribute(at)>{format_date(at)}</time>
            </span>
        }
    });
    view! {
        <li class="moderation" data-action=action.clone()>
            <time datetime=datetime_attribute(at_ms)>{format_date(at_ms)}</time>
            " · " <AuthorLine authors=vec![moderator] /> {verb}
            <a href=format!("/news/{target}")><code>{short_id(&target)}</code></a>
            {standing.then_some(" and the replies below it")}
            {undone}
            {standing.then(|| view! { <RestoreAction target=target_ids admins /> })}
        </li>
    }
}

/// `spasmid01abcdef0123…`: enough of an id to tell it apart in a list.
fn short_id(id: &str) -> String {
    let mut short: String = id.chars().take(18).collect();
    if short.len() < id.len() {
        short.push('…');
    }
    short
}

/// For a connected admin (one of `admins`): restore the deleted event `target` (its ids),
/// then load the page again to show the log as it now stands.
#[cfg_attr(any(feature = "ssr", feature = "admin-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "admin-islands")), component)]
fn RestoreAction(target: Vec<String>, admins: Vec<String>) -> impl IntoView {
    let signing = use_signing();
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let target = StoredValue::new(target);
    let restore = move |_| {
        busy.set(true);
        let parent = ParentInfo {
            ids: target.get_value(),
            categories: Vec::new(),
            mentions_for_reply: Vec::new(),
            mentions_for_reaction: Vec::new(),
        };
        sign_admin(
            signing,
            notice,
            describe(Action::Moderate, "restore"),
            Unsigned::ModerateRestore { parent },
            busy,
            crate::browser::reload_page,
        );
    };
    view! {
        <Show when=move || signing.is_one_of(&admins)>
            " "
            <button type="button" class="button" disabled=move || busy.get() on:click=restore>"Restore"</button>
            <LiveNotice notice />
        </Show>
    }
}
