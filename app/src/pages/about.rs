//! About this forum, and a place to check that your wallet works.

use leptos::prelude::*;

use crate::components::{NeedsJavaScript, PageMeta, SignatureCheck};

/// What the forum is, how signing works, and the wallet check.
#[component]
pub fn AboutPage() -> impl IntoView {
    view! {
        <PageMeta title="About" description="How the Spasm forum works: every post is signed by its author and verified by this server." canonical="/about" />
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
        <SignatureCheck>
            <NeedsJavaScript />
        </SignatureCheck>
    }
}
