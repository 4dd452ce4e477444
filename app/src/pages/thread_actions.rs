//! Reactions and reply forms across a whole thread, with one island for all of them.
//!
//! The server renders every event's reaction buttons and reply toggle ([`EventActions`]) as
//! plain HTML: hidden or disabled, since nobody can sign before the wasm runs. The thread's
//! island (`Thread` in [`super::news`]) shows and enables them once the page can sign
//! ([`browser::enable`]) and listens to clicks on the whole thread ([`browser::on_click`]:
//! event delegation), so a thread of fifty comments hydrates one island, not fifty, and
//! carries no props per comment: what a reaction or reply needs of its event is the JSON of
//! [`ParentData`] in the actions' `data-parent` attribute, read when someone clicks. The
//! island also marks the reactions the connected keys already gave (`aria-pressed`, asked of
//! the server whenever the keys change: [`browser::mark_own_reactions`]), and shows a connected
//! moderator a delete beside each comment and below the post, confirmed in the thread's one
//! [`DeleteDialog`].

use leptos::prelude::*;
use spasm::action::Reaction;

use crate::components::{LiveNotice, Notice, reaction_symbol};
use crate::model::{ParentData, ReactionCount};

/// An event's reaction buttons with their counts and, with `permalink` (a comment's), its
/// permalink and a reply toggle whose form opens below; a moderator's delete beside the
/// permalink, or below the reactions for the thread's own event.
#[component]
pub fn EventActions(
    parent: ParentData,
    counts: Vec<ReactionCount>,
    reactions: &'static [Reaction],
    #[prop(optional)] permalink: Option<String>,
) -> impl IntoView {
    // A page rendered with data it cannot write as JSON offers no reactions rather than fail.
    let parent_json = serde_json::to_string(&parent).unwrap_or_default();
    let replies = permalink.is_some();
    view! {
        <div class="event-actions" data-parent=parent_json>
            {permalink.map(|href| view! {
                <p class="comment-links">
                    <a href=href>"Permalink"</a>
                    // Shown once the page can sign.
                    <span hidden data-needs-signer="">
                        " · "
                        <button type="button" class="link-button" aria-expanded="false" data-reply="">"Reply"</button>
                    </span>
                    // Shown to a connected moderator.
                    <span hidden data-needs-moderator="">
                        " · "
                        <button type="button" class="link-button danger" data-moderate="">"Delete (moderator)"</button>
                    </span>
                </p>
            })}
            <div class="reactions" role="group" aria-label="React">
                {reactions.iter().map(|reaction| {
                    let name = reaction.name();
                    let count = counts.iter().find(|count| count.name == name).map_or(0, |count| count.total);
                    view! {
                        // The name and count in the text are the button's accessible name.
                        <button type="button" class="reaction" data-reaction=name disabled>
                            <span aria-hidden="true">{reaction_symbol(name)}</span>
                            // One text node: pieces side by side would each need a marker.
                            {format!(" {} ", capitalise(name))} <span class="count">{count}</span>
                        </button>
                    }
                }).collect_view()}
                <LiveNotice notice=RwSignal::new(Notice::Empty) />
            </div>
            {replies.then(|| view! { <div class="reply-slot"></div> })}
            // The thread's own event: its moderator's delete, shown to a connected moderator.
            {(!replies).then(|| view! {
                <p class="moderator-bar" hidden data-needs-moderator="">
                    <button type="button" class="button danger" data-moderate="">"Delete (moderator)"</button>
                </p>
            })}
        </div>
    }
}

/// What a moderator's delete does, as the confirmations say it.
const DELETION_CONSEQUENCES: &str = "It and every reply below it disappear from this forum, and it cannot be submitted again. An admin can undo this. Your wallet or Nostr extension will ask you to sign the deletion.";

/// The confirmation of a moderator's delete, once per thread: server HTML that the thread's
/// island opens and answers ([`browser::on_click`]), titled for a comment or, when the
/// thread's own event is deleted, for the post.
#[component]
pub fn DeleteDialog() -> impl IntoView {
    view! {
        <dialog class="delete-event" aria-labelledby="delete-event-title">
            <h2 id="delete-event-title">"Delete this comment?"</h2>
            <p>{DELETION_CONSEQUENCES}</p>
            <form method="dialog">
                <button type="submit" class="button" autofocus>"Cancel"</button>
                <button type="button" class="button danger" data-confirm-delete="">"Sign and delete"</button>
            </form>
        </dialog>
    }
}

/// `upvote` → `Upvote` (reaction names are ASCII).
fn capitalise(name: &str) -> String {
    let mut capitalised = name.to_owned();
    if let Some(first) = capitalised.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    capitalised
}

/// The thread's actions in the browser: what [`EventActions`] rendered, made to work.
#[cfg(feature = "hydrate")]
pub mod browser {
    use std::any::Any;
    use std::cell::RefCell;
    use std::collections::HashMap;

    use leptos::prelude::*;
    use spasm::action::{Action, Reaction};
    use spasm::signing::Unsigned;
    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement};

    use crate::components::{
        Notice, describe, show_notice, sign_and_submit, sign_and_submit_as, use_signing,
    };
    use crate::model::ParentData;

    thread_local! {
        /// Each event's notice (by spasmid), made at its first reaction.
        static NOTICES: RefCell<HashMap<String, RwSignal<Notice>>> = RefCell::default();
        /// The reply forms made so far (by spasmid), shown or hidden; dropping one would take
        /// its form off the page.
        static REPLY_FORMS: RefCell<HashMap<String, Box<dyn Any>>> = RefCell::default();
    }

    /// Shows the reply toggles and enables the reaction buttons under `root`, makes the
    /// post's reply form live, and brings the comment the address names (`#c-…`, the page
    /// loaded again after a reply) on screen: branches laid out only near the screen may have
    /// moved it since the browser scrolled.
    pub fn enable(root: &Element) {
        if let Ok(Some(target)) = root.query_selector(".comment:target") {
            target.scroll_into_view();
        }
        if let Ok(Some(slot)) = root.query_selector(".post-reply[data-parent]") {
            make_post_reply_live(slot);
        }
        for_each(root, "[data-needs-signer]", |element| {
            let _ = element.remove_attribute("hidden");
        });
        for_each(root, "button[data-reaction]", |button| {
            let _ = button.remove_attribute("disabled");
        });
    }

    /// Shows (`shown`) or hides the moderators' delete buttons under `root`.
    pub fn show_moderation(root: &Element, shown: bool) {
        for_each(root, "[data-needs-moderator]", |element| {
            let _ = if shown {
                element.remove_attribute("hidden")
            } else {
                element.set_attribute("hidden", "")
            };
        });
    }

    /// Shows "Publish to Nostr relays" under `root` where the event's Nostr signer
    /// (`data-nostr-signer`) is the connected key `nostr` (hex), and hides it elsewhere.
    pub fn show_publish_later(root: &Element, nostr: Option<&str>) {
        for_each(root, "[data-nostr-signer]", |offer| {
            let signer = offer.get_attribute("data-nostr-signer");
            let shown = nostr
                .is_some_and(|key| signer.is_some_and(|signer| signer.eq_ignore_ascii_case(key)));
            let _ = if shown {
                offer.remove_attribute("hidden")
            } else {
                offer.set_attribute("hidden", "")
            };
        });
    }

    /// The post's signer asked to publish it to Nostr relays
    /// ([`crate::components::publish_later`]); the page is then loaded again and shows each
    /// relay's answer in place of the offer.
    fn publish_later(button: Element, owner: &Owner) {
        let Some(offer) = button.closest("[data-publish-id]").ok().flatten() else {
            return;
        };
        if button.get_attribute("aria-disabled").as_deref() == Some("true") {
            return;
        }
        let id = offer.get_attribute("data-publish-id").unwrap_or_default();
        let notice = notice_in(&offer, ".notice", &format!("publish {id}"), owner);
        let _ = button.set_attribute("aria-disabled", "true");
        leptos::task::spawn_local(async move {
            match crate::components::publish_later(id, notice).await {
                Ok(()) => crate::browser::reload_page(),
                Err(message) => {
                    notice.set(Notice::Error(message));
                    let _ = button.set_attribute("aria-disabled", "false");
                }
            }
        });
    }

    thread_local! {
        /// The delete button a moderator clicked, while the confirmation is open.
        static PENDING_DELETE: RefCell<Option<Element>> = const { RefCell::new(None) };
    }

    /// A click anywhere in the thread: a reaction is signed and counted, a reply toggle opens
    /// or closes its form, a moderator's delete opens the confirmation ([`DeleteDialog`]),
    /// whose "Sign and delete" deletes, and the post's signer publishes it to Nostr relays.
    /// `owner` is the thread island's, which keeps what a click makes.
    ///
    /// [`DeleteDialog`]: super::DeleteDialog
    pub fn on_click(
        event: &web_sys::MouseEvent,
        owner: &Owner,
        moderators: &[String],
        deleted: RwSignal<bool>,
    ) {
        let Some(target) = event
            .target()
            .and_then(|target| target.dyn_into::<Element>().ok())
        else {
            return;
        };
        if let Ok(Some(button)) = target.closest("button[data-reaction]") {
            // While its event's last reaction is on its way, a button waits.
            if button.get_attribute("aria-disabled").as_deref() != Some("true") {
                react(button, owner);
            }
        } else if let Ok(Some(button)) = target.closest("button[data-reply]") {
            toggle_reply(&button, owner);
        } else if let Ok(Some(button)) = target.closest("button[data-moderate]")
            && button.get_attribute("aria-disabled").as_deref() != Some("true")
        {
            if let Some(dialog) = delete_dialog(&button) {
                let title = if button.closest(".comment").ok().flatten().is_some() {
                    "Delete this comment?"
                } else {
                    "Delete this post?"
                };
                if let Ok(Some(heading)) = dialog.query_selector("h2") {
                    heading.set_text_content(Some(title));
                }
                PENDING_DELETE.with_borrow_mut(|pending| *pending = Some(button));
                let _ = dialog.show_modal();
            }
        } else if let Ok(Some(button)) = target.closest("button[data-publish-later]") {
            publish_later(button, owner);
        } else if let Ok(Some(button)) = target.closest("button[data-confirm-delete]") {
            if let Some(dialog) = delete_dialog(&button) {
                dialog.close();
            }
            delete_confirmed(owner, moderators, deleted);
        }
    }

    /// The thread's one confirmation of a moderator's delete.
    fn delete_dialog(inside: &Element) -> Option<web_sys::HtmlDialogElement> {
        inside
            .closest(".thread")
            .ok()
            .flatten()?
            .query_selector("dialog.delete-event")
            .ok()
            .flatten()?
            .dyn_into()
            .ok()
    }

    /// The moderator confirmed: the event whose delete button was clicked is signed away,
    /// and once the forum has deleted it, a comment and its replies give way to words saying
    /// so, which take the keyboard's focus; the thread's own event sets `deleted` (the whole
    /// thread gives way to "Event deleted").
    fn delete_confirmed(owner: &Owner, moderators: &[String], deleted: RwSignal<bool>) {
        let Some(button) = PENDING_DELETE.with_borrow_mut(Option::take) else {
            return;
        };
        let Some((actions, key)) = actions_of(&button) else {
            return;
        };
        let notice = notice_of(&actions, &key, owner);
        let Some(parent) = parent_of(&actions, notice) else {
            return;
        };
        let _ = button.set_attribute("aria-disabled", "true");
        let signing = use_signing();
        // Signed by the connected keys that are a moderator's.
        let mode = signing.mode_for(moderators);
        leptos::task::spawn_local(async move {
            let unsigned = Unsigned::ModerateDelete {
                parent: parent.to_parent_info(),
            };
            let what = describe(Action::Moderate, "");
            let done = sign_and_submit_as(signing, mode, notice, what, unsigned)
                .await
                .is_some();
            let comment = actions.closest(".comment").ok().flatten();
            match (done, comment) {
                (true, Some(comment)) => replace_with_words(&comment),
                (true, None) => deleted.set(true),
                (false, _) => {
                    let _ = button.set_attribute("aria-disabled", "false");
                }
            }
        });
    }

    /// Hides a deleted `comment` (with its replies) behind words saying so.
    fn replace_with_words(comment: &Element) {
        let Some(document) = comment.owner_document() else {
            return;
        };
        let Ok(words) = document.create_element("p") else {
            return;
        };
        words.set_class_name("notice notice-success comment-deleted");
        let _ = words.set_attribute("tabindex", "-1");
        words.set_text_content(Some(
            "Deleted: this comment and the replies below it are gone from this forum. An admin can restore them from the moderation log.",
        ));
        let _ = comment.before_with_node_1(&words);
        let _ = comment.set_attribute("hidden", "");
        if let Ok(words) = words.dyn_into::<HtmlElement>() {
            let _ = words.focus();
        }
    }

    fn react(button: Element, owner: &Owner) {
        let Some((actions, key)) = actions_of(&button) else {
            return;
        };
        let Some(reaction) = button
            .get_attribute("data-reaction")
            .and_then(|name| Reaction::from_name(&name))
        else {
            return;
        };
        let notice = notice_of(&actions, &key, owner);
        if button.get_attribute("aria-pressed").as_deref() == Some("true") {
            notice.set(Notice::Error(format!(
                "You already gave “{}” here: a reaction counts once for each key.",
                reaction.name()
            )));
            return;
        }
        let Some(parent) = parent_of(&actions, notice) else {
            return;
        };
        // `aria-disabled` rather than `disabled`: a disabled button loses the keyboard's focus,
        // which would fall back to the top of the page.
        let set_busy = move |busy: bool| {
            for_each(&actions, "button[data-reaction]", |button| {
                let _ = button.set_attribute("aria-disabled", if busy { "true" } else { "false" });
            });
        };
        set_busy(true);
        let signing = use_signing();
        leptos::task::spawn_local(async move {
            let name = reaction.name();
            let unsigned = Unsigned::React {
                parent: parent.to_parent_info(),
                reaction,
            };
            let counted = sign_and_submit(signing, notice, describe(Action::React, name), unsigned)
                .await
                .is_some();
            if counted {
                let _ = button.set_attribute("aria-pressed", "true");
            }
            if counted && let Ok(Some(count)) = button.query_selector(".count") {
                let total = count
                    .text_content()
                    .and_then(|text| text.trim().parse::<i64>().ok())
                    .unwrap_or(0);
                count.set_text_content(Some(&(total + 1).to_string()));
            }
            set_busy(false);
        });
    }

    fn toggle_reply(button: &Element, owner: &Owner) {
        let Some((actions, key)) = actions_of(button) else {
            return;
        };
        let Some(slot) = actions
            .query_selector(".reply-slot")
            .ok()
            .flatten()
            .and_then(|slot| slot.dyn_into::<HtmlElement>().ok())
        else {
            return;
        };
        let open = button.get_attribute("aria-expanded").as_deref() != Some("true");
        let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
        // A form once made is hidden and shown again, never dropped: it keeps the draft, and
        // a reply on its way still has its form to report to.
        slot.set_hidden(!open);
        if !open || REPLY_FORMS.with_borrow(|forms| forms.contains_key(&key)) {
            focus_reply_field(&actions);
            return;
        }
        let notice = notice_of(&actions, &key, owner);
        let Some(parent) = parent_of(&actions, notice) else {
            return;
        };
        let form = leptos::mount::mount_to(slot, move || {
            view! { <super::super::news::ReplyForm parent label="Your reply to this comment".to_owned() /> }
        });
        REPLY_FORMS.with_borrow_mut(|forms| forms.insert(key, Box::new(form)));
        focus_reply_field(&actions);
    }

    /// The post's reply form (`.post-reply`), rendered on the server as it looks before the
    /// page can sign, is replaced by a live one in the same place, keeping what was typed.
    fn make_post_reply_live(slot: Element) {
        const KEY: &str = "post";
        if REPLY_FORMS.with_borrow(|forms| forms.contains_key(KEY)) {
            return;
        }
        let Some(parent) = slot
            .get_attribute("data-parent")
            .and_then(|json| serde_json::from_str::<ParentData>(&json).ok())
        else {
            return;
        };
        let draft = slot
            .query_selector("textarea")
            .ok()
            .flatten()
            .and_then(|field| field.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
            .map(|field| field.value())
            .unwrap_or_default();
        let Ok(slot) = slot.dyn_into::<HtmlElement>() else {
            return;
        };
        slot.set_inner_html("");
        let form = leptos::mount::mount_to(slot, move || {
            view! { <super::super::news::ReplyForm parent draft /> }
        });
        REPLY_FORMS.with_borrow_mut(|forms| forms.insert(KEY.to_owned(), Box::new(form)));
    }

    /// The keyboard goes where the person is about to write (when the form is shown).
    fn focus_reply_field(actions: &Element) {
        if let Ok(Some(field)) = actions.query_selector(".reply-slot:not([hidden]) textarea")
            && let Ok(field) = field.dyn_into::<HtmlElement>()
        {
            let _ = field.focus();
        }
    }

    /// The actions around `element` and the spasmid of their event.
    fn actions_of(element: &Element) -> Option<(Element, String)> {
        let actions = element.closest("[data-parent]").ok().flatten()?;
        let key = actions
            .closest("[data-spasmid]")
            .ok()
            .flatten()
            .and_then(|event| event.get_attribute("data-spasmid"))
            .unwrap_or_default();
        Some((actions, key))
    }

    /// What a reaction or reply needs of the event, or a word why it cannot be had.
    fn parent_of(actions: &Element, notice: RwSignal<Notice>) -> Option<ParentData> {
        let parent = actions
            .get_attribute("data-parent")
            .and_then(|json| serde_json::from_str(&json).ok());
        if parent.is_none() {
            notice.set(Notice::Error(
                "This page cannot tell what you are answering. Reload it and try again.".to_owned(),
            ));
        }
        parent
    }

    /// The notice under the event's reactions, kept up to date with a signal from now on.
    fn notice_of(actions: &Element, key: &str, owner: &Owner) -> RwSignal<Notice> {
        notice_in(actions, ".reactions > .notice", key, owner)
    }

    /// The notice shown in the region `selector` finds under `container`, kept by `key` and
    /// up to date with a signal from now on.
    fn notice_in(
        container: &Element,
        selector: &str,
        key: &str,
        owner: &Owner,
    ) -> RwSignal<Notice> {
        if let Some(notice) = NOTICES.with_borrow(|notices| notices.get(key).copied()) {
            return notice;
        }
        let region = container.query_selector(selector).ok().flatten();
        let notice = owner.with(|| {
            let notice = RwSignal::new(Notice::Empty);
            if let Some(region) = region {
                Effect::new(move |_| notice.with(|notice| show_notice(&region, notice)));
            }
            notice
        });
        NOTICES.with_borrow_mut(|notices| notices.insert(key.to_owned(), notice));
        notice
    }

    thread_local! {
        /// The latest marking asked for; an older one's answer arriving later is dropped.
        static MARKING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }

    /// Marks what the connected keys `signers` already did: once the server has answered,
    /// every reaction button under `root` is a toggle button, `aria-pressed="true"` for what
    /// those keys gave and `"false"` for the rest; while it has not (or with no key
    /// connected), none is. The marks are a help, not a promise: when the server cannot say,
    /// the buttons stay plain and reacting still works.
    pub async fn mark_own_reactions(root: Element, signers: Vec<String>) {
        let marking = MARKING.with(|marking| {
            marking.set(marking.get().wrapping_add(1));
            marking.get()
        });
        for_each(&root, "button[data-reaction][aria-pressed]", |button| {
            let _ = button.remove_attribute("aria-pressed");
        });
        if signers.is_empty() {
            return;
        }
        let mut actions_by_id = Vec::new();
        for_each(&root, "[data-parent]", |actions| {
            actions_by_id.extend(actions_of(actions).map(|(actions, id)| (id, actions)));
        });
        let signers = signers.join(" ");
        // The server answers for 500 events at a time (forum's MAX_IDS_PER_REACTIONS_QUERY).
        for events in actions_by_id.chunks(500) {
            let ids = events
                .iter()
                .map(|(id, _)| id.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let Ok(own) = crate::server_fns::load_own_reactions(signers.clone(), ids).await else {
                return;
            };
            if MARKING.with(std::cell::Cell::get) != marking {
                return;
            }
            for (id, name) in own.lines().filter_map(|line| line.split_once(' ')) {
                let button = Reaction::from_name(name)
                    .zip(events.iter().find(|(event, _)| event == id))
                    .and_then(|(reaction, (_, actions))| {
                        let selector = format!("button[data-reaction=\"{}\"]", reaction.name());
                        actions.query_selector(&selector).ok().flatten()
                    });
                if let Some(button) = button {
                    let _ = button.set_attribute("aria-pressed", "true");
                }
            }
        }
        for_each(
            &root,
            "button[data-reaction]:not([aria-pressed])",
            |button| {
                let _ = button.set_attribute("aria-pressed", "false");
            },
        );
    }

    fn for_each(root: &Element, selector: &str, mut each: impl FnMut(&Element)) {
        let Ok(found) = root.query_selector_all(selector) else {
            return;
        };
        for index in 0..found.length() {
            if let Some(element) = found
                .item(index)
                .and_then(|node| node.dyn_into::<Element>().ok())
            {
                each(&element);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaction_names_are_capitalised() {
        assert_eq!(capitalise("upvote"), "Upvote");
        assert_eq!(capitalise(""), "");
    }

    #[test]
    fn the_parent_attribute_reads_back_as_what_was_written() {
        let raw = |json: &str| serde_json::value::RawValue::from_string(json.to_owned()).unwrap();
        let person = r#"{"addresses":[{"value":"0xabc","format":{"name":"ethereum-pubkey"}}]}"#;
        let parent = ParentData {
            ids: vec!["spasmid01abc".to_owned()],
            categories: vec![raw(r#"{"name":"defi"}"#)],
            mentions_for_reply: vec![raw(person)],
            mentions_for_reaction: None,
        };
        let attribute = serde_json::to_string(&parent).unwrap();
        let read: ParentData = serde_json::from_str(&attribute).unwrap();
        assert_eq!(read, parent);
        assert_eq!(read.reaction_mentions()[0].get(), person);
    }
}
