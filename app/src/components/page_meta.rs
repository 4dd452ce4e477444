//! A page's title, description, canonical address and OpenGraph tags (with the site's
//! picture), rendered on the
//! server so that search engines and link previews see them without JavaScript.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

/// What a page says about itself in `<head>`.
#[component]
pub fn PageMeta(
    /// The page's own title; empty for the front page (the site's name alone).
    #[prop(into)]
    title: String,
    /// One or two sentences about the page.
    #[prop(into)]
    description: String,
    /// The page's canonical path; `None` for pages that are not to be indexed. Written
    /// absolute with the instance's [`SiteAddress`](crate::urls::SiteAddress), and as `og:url`.
    #[prop(optional, into)]
    canonical: Option<String>,
    /// The OpenGraph type: `website`, `article` or `profile`.
    #[prop(default = "website")]
    kind: &'static str,
    /// The page's RSS feed: its title and address (`<link rel="alternate">`, so that feed
    /// readers find it).
    #[prop(optional, into)]
    feed: Option<(String, String)>,
) -> impl IntoView {
    // Link previews show these as plain text: user text in them is isolated, as in `<title>`.
    let shared_title = if title.is_empty() {
        "Spasm forum".to_owned()
    } else {
        spasm::bidi::isolate(&title).into_owned()
    };
    let description = spasm::bidi::isolate(&description).into_owned();
    let indexed = canonical.is_some();
    let site = use_context::<crate::urls::SiteAddress>().unwrap_or_default();
    let canonical = canonical.map(|path| site.absolute(&path));
    view! {
        <Title text=title />
        <Meta name="description" content=description.clone() />
        <Meta property="og:site_name" content="Spasm forum" />
        <Meta property="og:title" content=shared_title />
        <Meta property="og:description" content=description />
        <Meta property="og:type" content=kind />
        // The site's picture (`public/og-image.png`, drawn by `end2end/og-image.mjs`): previewers
        // need an absolute address, and most ignore SVG.
        <Meta property="og:image" content=site.absolute("/og-image.png") />
        <Meta property="og:image:width" content="1200" />
        <Meta property="og:image:height" content="630" />
        <Meta property="og:image:alt" content="The Spasm forum's logo and name" />
        <Meta name="twitter:card" content="summary_large_image" />
        {canonical.map(|href| view! {
            <Link rel="canonical" href=href.clone() />
            <Meta property="og:url" content=href />
        })}
        {feed.map(|(title, href)| view! { <Link rel="alternate" type_="application/rss+xml" title=title href=href /> })}
        {(!indexed).then(|| view! { <Meta name="robots" content="noindex" /> })}
    }
}

/// The text of the document's title. On the server it is escaped: leptos_meta writes the
/// `<title>` element's text as it is given, and a title such as `</title><script>…` from a
/// post or a profile would otherwise end the element and run. In the browser it becomes
/// `document.title`, which is plain text.
///
/// User text in it is isolated ([`spasm::bidi::isolate`]): a title with a right-to-left
/// override cannot reorder the site's name after it.
pub fn title_text(title: String) -> String {
    let title = spasm::bidi::isolate(&title).into_owned();
    if cfg!(feature = "ssr") {
        title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        title
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::title_text;

    #[test]
    fn server_titles_cannot_end_the_title_element() {
        assert_eq!(
            title_text("</title><script>x()</script> & co".into()),
            "&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt; &amp; co"
        );
    }
}
