//! One module per page.

mod about;
mod admin;
mod author;
mod home;
mod moderations;
mod mutes;
mod new_post;
mod news;
mod not_found;
mod relays;
mod search;
mod setting_words;
mod sources;
mod thread_actions;

pub use about::AboutPage;
pub use admin::AdminPage;
pub use author::AuthorPage;
pub use home::HomePage;
pub use mutes::MutesPage;
pub use new_post::NewPostPage;
pub use news::NewsPage;
pub use not_found::NotFoundPage;
pub use search::SearchPage;

/// The query parameters the feed (`/`, `HomePage`) reads. The server keeps rendered pages by
/// their path and these parameters, so a page that reads another one must name it here.
pub const FEED_QUERY: &[&str] = &["activity", "category", "before"];

/// The query parameters an author's page (`/authors/:id`, `AuthorPage`) reads.
pub const AUTHOR_QUERY: &[&str] = &["before"];
