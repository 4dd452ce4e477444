//! The browser bundles: one wasm module per page family, so that a page downloads the code of
//! its own interactive parts and no other page's.
//!
//! Every bundle holds the header's islands (connecting a wallet, the theme). A family's own
//! islands are compiled into its bundle by the `app` feature `<family>-islands` (elsewhere
//! they are plain components, which the browser never runs). `cargo xtask build` builds one
//! module per such feature, plus `base` with `hydrate` alone, and publishes each as
//! `/pkg/spasm_forum-<family>-<hash>.js` and `…_bg.wasm`.
//!
//! The signing module (the `signer` crate, published as the family [`SIGNER`]) is apart from
//! every bundle: the pages that sign load it when their visitor first signs
//! ([`crate::browser::signer`]).

/// The family name the signing module is published under.
pub const SIGNER: &str = "signer";

/// A page family and its browser bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// Pages whose only islands are the header's: the feed, authors, the 404 page.
    Base,
    /// A post and its comments (`/news/…`): reactions, replies, moderation, Nostr publishing.
    Thread,
    /// Writing a post (`/newpost`).
    Compose,
    /// The admin page (`/admin`): settings, federation sources, Nostr relays.
    Admin,
    /// The about page (`/about`): the wallet check.
    About,
}

impl Bundle {
    /// The family's name, as in its feature (`thread-islands`) and its files.
    pub fn family(self) -> &'static str {
        match self {
            Self::Base => "base",
            Self::Thread => "thread",
            Self::Compose => "compose",
            Self::Admin => "admin",
            Self::About => "about",
        }
    }

    /// Whether the family's islands sign (and so load the signing module when asked to).
    pub fn signs(self) -> bool {
        matches!(self, Self::Thread | Self::Compose | Self::Admin)
    }

    /// Whether the family's pages have composers (a new post, replies), whose "Preview" the
    /// page's script makes work ([`crate::browser::preview`]).
    pub fn composes(self) -> bool {
        matches!(self, Self::Thread | Self::Compose)
    }

    /// The bundle of the page at `path` (the routes of [`crate::App`]).
    pub fn for_path(path: &str) -> Self {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        match first {
            "news" => Self::Thread,
            "newpost" => Self::Compose,
            "admin" => Self::Admin,
            "about" => Self::About,
            _ => Self::Base,
        }
    }
}

/// The built site's hashed file names, given by the server: the stylesheet's address and
/// each bundle's file stem (`spasm_forum-<family>-<hash>`, by family).
#[derive(Debug, Clone, Copy)]
pub struct SiteAssets {
    /// The stylesheet's address (`/pkg/spasm_forum-<hash>.css`).
    pub stylesheet: &'static str,
    /// `(family, file stem)` of every bundle.
    pub bundles: &'static [(&'static str, &'static str)],
}

impl Default for SiteAssets {
    /// Names without hashes: what a server built without the site (in tests) links to.
    fn default() -> Self {
        Self {
            stylesheet: "/pkg/spasm_forum.css",
            bundles: &[],
        }
    }
}

impl SiteAssets {
    /// The file stem of `bundle` (`/pkg/<stem>.js`, `/pkg/<stem>_bg.wasm`).
    pub fn bundle_stem(&self, bundle: Bundle) -> &'static str {
        self.bundles
            .iter()
            .find(|(family, _)| *family == bundle.family())
            .map_or("spasm_forum", |(_, stem)| stem)
    }

    /// The file stem of the signing module, when the site has one.
    pub fn signer_stem(&self) -> Option<&'static str> {
        self.bundles
            .iter()
            .find(|(family, _)| *family == SIGNER)
            .map(|(_, stem)| *stem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_take_their_family_s_bundle() {
        assert_eq!(Bundle::for_path("/"), Bundle::Base);
        assert_eq!(Bundle::for_path("/authors/0xabc"), Bundle::Base);
        assert_eq!(Bundle::for_path("/news/spasmid01abc"), Bundle::Thread);
        assert_eq!(Bundle::for_path("/news/spasmid01abc/"), Bundle::Thread);
        assert_eq!(Bundle::for_path("/newpost"), Bundle::Compose);
        assert_eq!(Bundle::for_path("/admin"), Bundle::Admin);
        assert_eq!(Bundle::for_path("/about"), Bundle::About);
        assert_eq!(Bundle::for_path("/newsletter"), Bundle::Base);
    }

    #[test]
    fn a_bundle_is_found_by_its_family() {
        let assets = SiteAssets {
            stylesheet: "/pkg/spasm_forum-00.css",
            bundles: &[
                ("base", "spasm_forum-base-01"),
                ("thread", "spasm_forum-thread-02"),
                ("signer", "spasm_forum-signer-03"),
            ],
        };
        assert_eq!(assets.signer_stem(), Some("spasm_forum-signer-03"));
        assert_eq!(SiteAssets::default().signer_stem(), None);
        assert_eq!(assets.bundle_stem(Bundle::Thread), "spasm_forum-thread-02");
        assert_eq!(assets.bundle_stem(Bundle::Base), "spasm_forum-base-01");
        assert_eq!(assets.bundle_stem(Bundle::Admin), "spasm_forum");
    }
}
