//! Writing a new post: title, text and category; the wallet signs it; the forum stores it.

use leptos::prelude::*;
use spasm::action::Action;
use spasm::signing::Unsigned;

use super::home::CATEGORIES;
use crate::components::{
    InstanceRelays, LiveNotice, MarkdownPreview, NeedsJavaScript, Notice, PageMeta,
    PublishToNostrChoice, SignWith, describe, sign_and_submit, use_signing,
};
use crate::server_fns::load_policy;

/// `/newpost`.
#[component]
pub fn NewPostPage() -> impl IntoView {
    // The relays the composer names; without them it names the author's own.
    let relays = Resource::new(|| (), |()| load_policy());
    view! {
        <PageMeta title="New post" description="Write a post and sign it with your Ethereum wallet or Nostr extension." />
        <section class="card">
            <h1>"New post"</h1>
            <NeedsJavaScript />
            <NewPostForm />
        </section>
        <Suspense>
            {move || Suspend::new(async move {
                let relays = relays.await.map(|policy| policy.nostr_relays).unwrap_or_default();
                view! { <InstanceRelays relays /> }
            })}
        </Suspense>
    }
}

/// The composer: title, text, category and keys; once signed and stored, the post's page
/// opens.
#[cfg_attr(any(feature = "ssr", feature = "compose-islands"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "compose-islands")), component)]
fn NewPostForm() -> impl IntoView {
    let signing = use_signing();
    let title = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let category = RwSignal::new(String::from("any"));
    let notice = RwSignal::new(Notice::Empty);
    let busy = RwSignal::new(false);
    let preview = move || {
        let title = title.get();
        if title.trim().is_empty() {
            "Give your post a title and some text; your wallet will then ask you to sign it."
                .to_owned()
        } else {
            describe(Action::Post, title.trim())
        }
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (title_text, body_text, category_name) = (
            title.get_untracked(),
            text.get_untracked(),
            category.get_untracked(),
        );
        if title_text.trim().is_empty() || body_text.trim().is_empty() {
            notice.set(Notice::Error(
                "A post needs a title and some text.".to_owned(),
            ));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let chosen = (category_name != "any").then_some(category_name);
            let title = title_text.trim().to_owned();
            let reply = sign_and_submit(
                signing,
                notice,
                describe(Action::Post, &title),
                Unsigned::Post {
                    title,
                    content: body_text,
                    category: chosen,
                },
            )
            .await;
            match reply {
                Some(reply) => crate::browser::open_page(&format!(
                    "/news/{}",
                    crate::urls::path_segment(&reply.spasmid)
                )),
                None => busy.set(false),
            }
        });
    };
    view! {
        <form class="post-form" on:submit=submit>
            <label for="post-title">"Title"</label>
            <input id="post-title" type="text" maxlength="300" required prop:value=move || title.get() on:input=move |event| title.set(event_target_value(&event)) />
            <label for="post-text">"Text"</label>
            <textarea id="post-text" rows="8" required prop:value=move || text.get() on:input=move |event| text.set(event_target_value(&event))
                placeholder="Markdown works; HTML is shown as text."></textarea>
            <label for="post-category">"Category"</label>
            <select id="post-category" on:change=move |event| category.set(event_target_value(&event))>
                <option value="any">"None"</option>
                {CATEGORIES.into_iter().map(|name| view! { <option value=name>{name}</option> }).collect_view()}
            </select>
            <fieldset class="sign-with">
                <legend>"Sign with"</legend>
                {[(SignWith::Ethereum, "sign-ethereum", "Ethereum wallet"), (SignWith::Nostr, "sign-nostr", "Nostr extension"), (SignWith::Both, "sign-both", "Both (one post, two signatures)")].into_iter().map(|(mode, id, label)| view! {
                    <span class="choice">
                        <input type="radio" name="sign-with" id=id prop:checked=move || signing.mode.get() == mode on:change=move |_| signing.choose(mode) />
                        <label for=id class="inline">{label}</label>
                    </span>
                }).collect_view()}
            </fieldset>
            <PublishToNostrChoice id="publish-nostr" />
            <MarkdownPreview is_post=true />
            <p class="sign-preview" aria-live="polite">{preview}</p>
            <button type="submit" class="button primary" disabled=move || !signing.interactive.get() || busy.get()>"Sign and publish"</button>
            <LiveNotice notice />
        </form>
    }
    .into_any()
}
