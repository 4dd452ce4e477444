//! An author's page: their identities and what they verifiably signed.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::{EventList, MutedNote, PageMeta};
use crate::model::{AuthorIdentity, ProfileView};
use crate::server_fns::load_author;
use crate::urls::{path_segment, with_query};

/// `/authors/:id`: an Ethereum address (any case), a Nostr hex key or an npub.
#[component]
pub fn AuthorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|value| value.parse::<i64>().ok())
    };
    let resource = Resource::new(
        move || (id(), before()),
        |(id, before)| load_author(id, before),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match resource.await {
                    Ok(view) => view! {
                        <AuthorHeader id=id() identity=view.identity />
                        <section class="feed" aria-label="Events by this author">
                            {if view.page.events.is_empty() && view.page.muted == 0 {
                                view! { <p class="empty">"Nothing signed by this key here yet."</p> }.into_any()
                            } else {
                                let more_href = view.page.next_before.map(|before| format!("?before={before}"));
                                view! { <MutedNote count=view.page.muted /> <EventList events=view.page.events more_href /> }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(error) => view! {
                        <AuthorHeader id=id() identity=None />
                        <p class="notice notice-error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The author's identicon, name and keys, with links to see them elsewhere.
#[component]
fn AuthorHeader(id: String, identity: Option<AuthorIdentity>) -> impl IntoView {
    let Some(identity) = identity else {
        return view! {
            <PageMeta title="Unknown author" description="This is not an Ethereum address or a Nostr key." />
            <section class="card author-card">
                <h1>"Author"</h1>
                <p><code class="address" data-testid="author-id">{id}</code></p>
                <p class="hint">"This is not an Ethereum address or a Nostr key."</p>
            </section>
        }
        .into_any();
    };
    let profile = identity.profile.clone();
    let profile_name = profile.as_ref().and_then(|profile| profile.name.clone());
    let heading = profile_name
        .clone()
        .or_else(|| identity.name.clone())
        .unwrap_or_else(|| format!("{} author", identity.network));
    // A picture the key chose, when the instance shows them; the identicon otherwise.
    let picture = profile.as_ref().and_then(|profile| profile.picture.clone());
    let avatar = match picture {
        Some(picture) => view! {
            <img class="identicon identicon-large profile-picture" src=picture alt="Profile picture"
                width="80" height="80" referrerpolicy="no-referrer" loading="lazy" />
        }
        .into_any(),
        None => view! {
            <img class="identicon identicon-large" src=identity.identicon.clone() alt="" width="80" height="80" />
        }
        .into_any(),
    };
    let explorer_label = if identity.network == "Ethereum" {
        "See the address on Etherscan"
    } else {
        "See the profile on njump.me"
    };
    let short = if identity.shown.len() > 16 {
        format!(
            "{}...{}",
            &identity.shown[..8],
            &identity.shown[identity.shown.len() - 4..]
        )
    } else {
        identity.shown.clone()
    };
    let page_title = format!("{heading} ({short})");
    let description = format!(
        "What the {} {} {} verifiably signed on this forum.",
        identity.network,
        if identity.network == "Ethereum" {
            "address"
        } else {
            "key"
        },
        identity.shown
    );
    let canonical = format!("/authors/{}", path_segment(&identity.shown));
    let feed = (
        format!("{page_title}: posts"),
        with_query("/api/rss", [("signer", identity.shown.as_str())]),
    );
    view! {
        <PageMeta title=page_title description canonical kind="profile" feed />
        <section class="card author-card">
            {avatar}
            <div class="author-details">
                <h1>{heading}</h1>
                {profile.map(|profile| view! { <NostrProfileDetails profile has_name=profile_name.is_some() /> })}
                <dl class="author-keys">
                    <dt>{format!("{} {}", identity.network, if identity.network == "Ethereum" { "address" } else { "key" })}</dt>
                    <dd><code class="address" data-testid="author-id">{identity.shown.clone()}</code></dd>
                    <dt>{if identity.network == "Ethereum" { "Checksum form" } else { "Hex form" }}</dt>
                    <dd><code class="address">{identity.also_known_as}</code></dd>
                </dl>
                <p class="author-links">
                    <a href=identity.explorer_href rel="nofollow noopener" target="_blank">{explorer_label}</a>
                    {identity.nostr_uri.map(|uri| view! {
                        " · "<a href=uri>"Open in your Nostr app"</a>
                    })}
                </p>
                <p class="hint">"Only events this key verifiably signed are listed here. "
                    <a href=with_query("/mutes", [("add_key", identity.shown.as_str())])>"Mute this key"</a>
                </p>
            </div>
        </section>
    }
    .into_any()
}

/// What the key says about itself, marked as its own words.
#[component]
fn NostrProfileDetails(profile: ProfileView, has_name: bool) -> impl IntoView {
    view! {
        <div class="nostr-profile" data-testid="nostr-profile">
            {has_name.then(|| view! { <p class="hint">"Name from the key's own signed Nostr profile."</p> })}
            {profile.about.map(|about| view! { <p class="profile-about">{about}</p> })}
            {profile.website.map(|website| {
                let text = website.clone();
                view! { <p><a href=website rel="nofollow noopener ugc" target="_blank">{text}</a></p> }
            })}
        </div>
    }
}
