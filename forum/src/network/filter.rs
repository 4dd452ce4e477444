//! [`LocalFilter`]: a source's query applied again to what it sends, since peers ignore the
//! parameters they do not know (the existing server knows no `signer=`, older ones no
//! repeated `action=`).

use crate::address::AuthorAddress;
use crate::record::NewEvent;

/// What a source's query asks for, as far as an event shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalFilter {
    /// `action=` values (any of them); empty: every action.
    pub actions: Vec<String>,
    /// `category=` values (any of them); empty: every category.
    pub categories: Vec<String>,
    /// `webType=web3` (signed only) or `web2` (unsigned only).
    pub signed: Option<bool>,
    /// `signer=` values (any of them, verified); empty: every signer.
    pub signers: Vec<AuthorAddress>,
}

impl LocalFilter {
    /// The filter of a source URL's query (`any`, `all`, `false` and empty values mean no
    /// filter, as on the existing server); unreadable signers are left out.
    pub fn of_url(url: &url::Url) -> Self {
        let mut filter = Self::default();
        for (name, value) in url.query_pairs() {
            let value = value.trim();
            if value.is_empty() || matches!(value, "any" | "all" | "false") {
                continue;
            }
            match name.as_ref() {
                "action" => filter.actions.push(value.to_owned()),
                "category" => filter.categories.push(value.to_owned()),
                "webType" if value == "web3" => filter.signed = Some(true),
                "webType" if value == "web2" => filter.signed = Some(false),
                "signer" => {
                    if let Ok(signer) = AuthorAddress::parse(value) {
                        filter.signers.push(signer);
                    }
                }
                _ => {}
            }
        }
        filter
    }

    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Whether `event` is one the query asks for.
    pub fn admits(&self, event: &NewEvent) -> bool {
        (self.actions.is_empty() || self.actions.iter().any(|action| action == event.action()))
            && (self.categories.is_empty()
                || event
                    .categories()
                    .iter()
                    .any(|category| self.categories.contains(category)))
            && self.signed.is_none_or(|signed| signed == event.is_signed())
            && (self.signers.is_empty()
                || event
                    .signers()
                    .iter()
                    .any(|signer| self.signers.contains(signer)))
    }
}
