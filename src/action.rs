//! What an event does (`action`) and the reactions a `react` event can carry, named once
//! for every crate: ingest, storage, the views and the signing descriptions.
//!
//! The names are spasm.js's: `SpasmEventV2.action` is `post`, `reply`, `react`,
//! `moderate`, or an admin action (`app-config…`, `admin…`); a reaction is the `content` of a
//! `react` event, one of spasm.js's fifteen names.

/// An event's `action`, as the forum handles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A new thread.
    Post,
    /// An answer to another event (`parent.ids`).
    Reply,
    /// A reaction to another event; its content names a [`Reaction`].
    React,
    /// A moderator's `delete` or an admin's `restore` of other events.
    Moderate,
    /// An admin's instance settings (`app-config`, `app-config-…`).
    AppConfig,
    /// Any other admin-signed action (`admin…`).
    Admin,
    /// Anything else: stored as it is, with no rule of its own.
    Other,
}

impl Action {
    /// The action of an event's `action` text (exact, as spasm.js compares it).
    pub fn of(name: &str) -> Self {
        match name {
            "post" => Self::Post,
            "reply" => Self::Reply,
            "react" => Self::React,
            "moderate" => Self::Moderate,
            _ if name.starts_with("app-config") => Self::AppConfig,
            _ if name.starts_with("admin") => Self::Admin,
            _ => Self::Other,
        }
    }

    /// The action's name in events: the prefix for admin actions, and `other` (the
    /// existing server's word) for actions the forum has no rule for.
    pub fn name(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Reply => "reply",
            Self::React => "react",
            Self::Moderate => "moderate",
            Self::AppConfig => "app-config",
            Self::Admin => "admin",
            Self::Other => "other",
        }
    }

    /// Whether the event answers a target it must name (`parent.ids`).
    pub fn has_target(self) -> bool {
        matches!(self, Self::Reply | Self::React | Self::Moderate)
    }
}

/// A reaction: the content of a `react` event. spasm.js's fifteen names, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reaction {
    /// +1
    Upvote,
    /// −1
    Downvote,
    /// 🐂
    Bullish,
    /// 🐻
    Bearish,
    /// Worth reading.
    Important,
    /// A scam warning.
    Scam,
    /// Toxic.
    Toxic,
    /// Sad.
    Sad,
    /// Funny.
    Laugh,
    /// A clown.
    Clown,
    /// Loved.
    Love,
    /// Facepalm.
    Facepalm,
    /// A mushroom.
    Mushroom,
    /// To the moon.
    Moon,
    /// A rocket.
    Rocket,
}

impl Reaction {
    /// Every reaction the forum counts, in spasm.js's order.
    pub const ALL: [Self; 15] = [
        Self::Upvote,
        Self::Downvote,
        Self::Bullish,
        Self::Bearish,
        Self::Important,
        Self::Scam,
        Self::Toxic,
        Self::Sad,
        Self::Laugh,
        Self::Clown,
        Self::Love,
        Self::Facepalm,
        Self::Mushroom,
        Self::Moon,
        Self::Rocket,
    ];

    /// The reactions the forum's pages offer on a post, in the order they are shown.
    pub const OFFERED_ON_POSTS: [Self; 6] = [
        Self::Bullish,
        Self::Bearish,
        Self::Important,
        Self::Scam,
        Self::Upvote,
        Self::Downvote,
    ];

    /// The reactions offered on a comment.
    pub const OFFERED_ON_COMMENTS: [Self; 2] = [Self::Upvote, Self::Downvote];

    /// The lower-case name that is the reaction's content.
    pub fn name(self) -> &'static str {
        match self {
            Self::Upvote => "upvote",
            Self::Downvote => "downvote",
            Self::Bullish => "bullish",
            Self::Bearish => "bearish",
            Self::Important => "important",
            Self::Scam => "scam",
            Self::Toxic => "toxic",
            Self::Sad => "sad",
            Self::Laugh => "laugh",
            Self::Clown => "clown",
            Self::Love => "love",
            Self::Facepalm => "facepalm",
            Self::Mushroom => "mushroom",
            Self::Moon => "moon",
            Self::Rocket => "rocket",
        }
    }

    /// The reaction a `react` event's content names (exact, as the server compares it).
    pub fn of(content: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|reaction| reaction.name() == content)
    }

    /// The reaction of a name in any case (what a person types or a link carries).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|reaction| reaction.name().eq_ignore_ascii_case(name))
    }

    /// Where the pages show it among the offered reactions (others after them).
    pub fn display_rank(self) -> usize {
        Self::OFFERED_ON_POSTS
            .iter()
            .position(|offered| *offered == self)
            .unwrap_or(Self::OFFERED_ON_POSTS.len())
    }
}

/// A reaction is written as its name (`"upvote"`).
impl serde::Serialize for Reaction {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A reaction is read from its exact name; another name is an error.
impl<'de> serde::Deserialize<'de> for Reaction {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::of(&name)
            .ok_or_else(|| serde::de::Error::custom(format_args!("no reaction is named {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for reaction in Reaction::ALL {
            assert_eq!(Reaction::of(reaction.name()), Some(reaction));
            assert_eq!(
                Reaction::from_name(&reaction.name().to_uppercase()),
                Some(reaction)
            );
        }
        assert_eq!(Reaction::of("Upvote"), None);
        assert_eq!(Reaction::of("like"), None);
        for action in [Action::Post, Action::Reply, Action::React, Action::Moderate] {
            assert_eq!(Action::of(action.name()), action);
        }
        assert_eq!(Action::of("app-config-federation-list"), Action::AppConfig);
        assert_eq!(Action::of("admin-note"), Action::Admin);
        assert_eq!(Action::of("Post"), Action::Other);
    }

    #[test]
    fn offered_reactions_come_first_in_their_order() {
        assert_eq!(Reaction::Bullish.display_rank(), 0);
        assert_eq!(Reaction::Downvote.display_rank(), 5);
        assert_eq!(Reaction::Rocket.display_rank(), 6);
    }
}
