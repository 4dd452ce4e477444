//! One module per page.

mod about;
mod admin;
mod author;
mod home;
mod new_post;
mod news;
mod not_found;
mod relays;
mod sources;

pub use about::AboutPage;
pub use admin::AdminPage;
pub use author::AuthorPage;
pub use home::HomePage;
pub use new_post::NewPostPage;
pub use news::NewsPage;
pub use not_found::NotFoundPage;
