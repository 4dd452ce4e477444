//! The page for addresses that lead nowhere.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::PageMeta;

/// "Page not found", answered with HTTP 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageMeta title="Page not found" description="There is no page at this address." />
        <section class="card error-page" aria-labelledby="not-found-title">
            <p class="error-code">"404"</p>
            <h1 id="not-found-title">"Page not found"</h1>
            <p>"There is nothing at this address. It may have been moved or deleted."</p>
            <p><A href="/">"Back to the front page"</A></p>
        </section>
    }
}
