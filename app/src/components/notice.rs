//! A live region that tells the visitor what is happening and what went wrong.

use leptos::prelude::*;

/// What a [`LiveNotice`] currently says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Notice {
    /// Nothing to say.
    #[default]
    Empty,
    /// Progress: something is under way.
    Progress(String),
    /// Something succeeded.
    Success(String),
    /// Something failed; the text says what and what to do.
    Error(String),
}

impl Notice {
    fn class(&self) -> &'static str {
        match self {
            Notice::Empty => "notice",
            Notice::Progress(_) => "notice notice-progress",
            Notice::Success(_) => "notice notice-success",
            Notice::Error(_) => "notice notice-error",
        }
    }

    fn text(&self) -> String {
        match self {
            Notice::Empty => String::new(),
            Notice::Progress(text) | Notice::Success(text) | Notice::Error(text) => text.clone(),
        }
    }
}

/// An `aria-live` paragraph showing `notice`; errors are announced assertively.
#[component]
pub fn LiveNotice(notice: RwSignal<Notice>) -> impl IntoView {
    view! {
        <p
            class=move || notice.with(Notice::class)
            role=move || if matches!(notice.get(), Notice::Error(_)) { "alert" } else { "status" }
            aria-live=move || if matches!(notice.get(), Notice::Error(_)) { "assertive" } else { "polite" }
            data-notice=move || notice.with(|n| match n {
                Notice::Empty => "empty",
                Notice::Progress(_) => "progress",
                Notice::Success(_) => "success",
                Notice::Error(_) => "error",
            })
        >
            {move || notice.with(Notice::text)}
        </p>
    }
}
