//! The front page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::SignatureCheck;

/// The front page: what this forum is, and a place to check that your wallet works.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="" />
        <section class="card intro" aria-labelledby="intro-title">
            <h1 id="intro-title">"Welcome to the Spasm forum"</h1>
            <p>
                "Read without an account. Post, reply and react by signing with the keys you "
                "already hold: an Ethereum wallet such as MetaMask or Rabby, or a Nostr "
                "extension such as nos2x or Alby."
            </p>
            <p>
                "Every post is signed by its author and verified by this server, so nobody, "
                "not even the host, can put words in your mouth."
            </p>
        </section>
        <SignatureCheck />
    }
}
