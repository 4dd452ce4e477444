//! The instance settings in words: each setting's group, label and one sentence of help, for
//! the admin page's form. The keys are the `camelCase` names app-config events carry
//! (`forum::Settings`); a key missing here still shows, under "Other", with its name spelled out.

/// A group of related settings.
pub struct SettingGroup {
    /// The group's heading.
    pub title: &'static str,
    /// Its settings, in the order the form shows them.
    pub settings: &'static [SettingWords],
}

/// One setting in words.
pub struct SettingWords {
    /// The `camelCase` key.
    pub key: &'static str,
    /// The label beside its control.
    pub label: &'static str,
    /// What it does, in a sentence.
    pub help: &'static str,
}

const fn words(key: &'static str, label: &'static str, help: &'static str) -> SettingWords {
    SettingWords { key, label, help }
}

/// Every setting an admin may change, grouped.
pub const SETTING_GROUPS: &[SettingGroup] = &[
    SettingGroup {
        title: "What this forum accepts",
        settings: &[
            words(
                "enableNewWeb3ActionsAll",
                "Accept new events",
                "Off: nobody can post, reply, react or moderate here; everything stays readable.",
            ),
            words(
                "enableNewWeb3ActionsPost",
                "New posts",
                "People may start new posts.",
            ),
            words(
                "enableNewWeb3ActionsReply",
                "New replies",
                "People may reply to posts and comments.",
            ),
            words(
                "enableNewWeb3ActionsReact",
                "New reactions",
                "People may react (upvote, important, …).",
            ),
            words(
                "enableNewWeb3ActionsModerate",
                "Moderation events",
                "Moderators' deletions and admins' restores are taken.",
            ),
            words(
                "enableNewEthereumActionsAll",
                "Events signed with Ethereum keys",
                "Events signed by an Ethereum wallet (MetaMask, Rabby…) are taken.",
            ),
            words(
                "enableNewNostrActionsAll",
                "Events signed with Nostr keys",
                "Events signed by a Nostr extension (nos2x, Alby…) are taken.",
            ),
            words(
                "allowNewEventsWithoutSignature",
                "Unsigned events",
                "Events without any signature are taken from the public submit address. Leave off: \
                 anyone could write in anyone's name. Feeds and trusted instances do not need it.",
            ),
        ],
    },
    SettingGroup {
        title: "Moderation",
        settings: &[
            words(
                "enableModeration",
                "Moderators may delete",
                "Moderators may delete any post or comment with the replies below it; an admin \
                 can undo it from the moderation log.",
            ),
            words(
                "moderators",
                "Moderators",
                "Their Ethereum addresses or Nostr keys (npub or hex).",
            ),
        ],
    },
    SettingGroup {
        title: "Who may post, reply and react",
        settings: &[
            words(
                "enableWhitelistForActionPost",
                "Only listed keys may post",
                "New posts are taken only from the keys listed below.",
            ),
            words(
                "whitelistedForActionPost",
                "Keys that may post",
                "Ethereum addresses or Nostr keys.",
            ),
            words(
                "ignoreWhitelistForActionPostInSpasmModule",
                "Posts from other instances skip the list",
                "Posts this forum pulls from other Spasm instances are taken from anyone.",
            ),
            words(
                "enableWhitelistForActionReply",
                "Only listed keys may reply",
                "New replies are taken only from the keys listed below.",
            ),
            words(
                "whitelistedForActionReply",
                "Keys that may reply",
                "Ethereum addresses or Nostr keys.",
            ),
            words(
                "ignoreWhitelistForActionReplyInSpasmModule",
                "Replies from other instances skip the list",
                "Replies this forum pulls from other Spasm instances are taken from anyone.",
            ),
            words(
                "enableWhitelistForActionReact",
                "Only listed keys may react",
                "New reactions are taken only from the keys listed below.",
            ),
            words(
                "whitelistedForActionReact",
                "Keys that may react",
                "Ethereum addresses or Nostr keys.",
            ),
            words(
                "ignoreWhitelistForActionReactInSpasmModule",
                "Reactions from other instances skip the list",
                "Reactions this forum pulls from other Spasm instances are taken from anyone.",
            ),
        ],
    },
    SettingGroup {
        title: "The feed",
        settings: &[
            words(
                "feedFiltersActivityHot",
                "Reactions for “Hot”",
                "A post with at least this many reactions is listed under Hot.",
            ),
            words(
                "feedFiltersActivityRising",
                "Reactions for “Rising”",
                "A post with at least this many reactions is listed under Rising.",
            ),
            words(
                "pinnedIds",
                "Pinned posts",
                "Their Spasm ids (spasmid01…), shown first in the feed in this order.",
            ),
        ],
    },
    SettingGroup {
        title: "How events are shown",
        settings: &[
            words(
                "enableAutoGeneratedNames",
                "Names for authors",
                "Authors without a known name get a generated one (as the old client showed), \
                 beside their address.",
            ),
            words(
                "enableEmbedImageTagsInPosts",
                "Images in posts",
                "A line of a post that is only a link to an image shows the image. Images load from \
                 their host, which learns who reads.",
            ),
            words(
                "enableEmbedImageTagsInComments",
                "Images in comments",
                "The same in comments.",
            ),
            words(
                "enableEmbedVideoTagsInPosts",
                "Videos in posts",
                "A line of a post that is only a link to a video shows a player.",
            ),
            words(
                "enableEmbedVideoTagsInComments",
                "Videos in comments",
                "The same in comments.",
            ),
            words(
                "enableEmbedAudioTagsInPosts",
                "Audio in posts",
                "A line of a post that is only a link to audio shows a player.",
            ),
            words(
                "enableEmbedAudioTagsInComments",
                "Audio in comments",
                "The same in comments.",
            ),
            words(
                "enableNostrDisplayProfilesPictures",
                "Nostr profile pictures",
                "Author pages show the picture of the author's Nostr profile, loaded from its host.",
            ),
        ],
    },
    SettingGroup {
        title: "Links",
        settings: &[
            words(
                "enableShortUrlsForWeb3Actions",
                "Short links to events",
                "An event can be opened by the first characters of its id.",
            ),
            words(
                "shortUrlsLengthOfWeb3Ids",
                "Length of a short id",
                "How many characters of an id a short link keeps (at least 15).",
            ),
        ],
    },
];

/// The words for `key`, if it has any.
pub fn words_of(key: &str) -> Option<&'static SettingWords> {
    SETTING_GROUPS
        .iter()
        .flat_map(|group| group.settings)
        .find(|words| words.key == key)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn every_setting_an_admin_may_change_has_words() {
        let settings = serde_json::to_value(forum::Settings::default()).unwrap();
        let host_only = [
            "enableAppConfigChanges",
            "enableAppConfigChangesByAdmin",
            "enableAdmin",
            "admins",
        ];
        for key in settings.as_object().unwrap().keys() {
            if !host_only.contains(&key.as_str()) {
                assert!(
                    words_of(key).is_some(),
                    "{key} has no words on the admin page"
                );
            }
        }
        for words in SETTING_GROUPS.iter().flat_map(|group| group.settings) {
            assert!(
                settings.get(words.key).is_some(),
                "{} is no setting",
                words.key
            );
        }
    }
}
