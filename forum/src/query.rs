//! What a reader asks for: feed filters and keyset pages, parsed from the existing API's
//! query parameters (degenrocket-server.md §1.1–1.4).

/// The most events one list returns.
pub const MAX_LIMIT: u32 = 300;

/// The most values one repeated parameter (`action=…&action=…`) may have.
pub const MAX_REPEATED: usize = 50;

/// A window of a list ordered by insertion (newest first): `before` and `since` are event
/// keys (`db.key` in every envelope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Page {
    /// How many events, 1 to [`MAX_LIMIT`].
    pub limit: u32,
    /// Only events stored before this key (the next page of a newest-first list).
    pub before: Option<i64>,
    /// Only events stored after this key. Without `before`, the `limit` events right after
    /// `since` (to read forward without gaps), still newest first.
    pub since: Option<i64>,
}

impl Page {
    /// The first `limit` events, newest first.
    pub fn first(limit: u32) -> Self {
        Self {
            limit: limit.clamp(1, MAX_LIMIT),
            before: None,
            since: None,
        }
    }
}

/// `webType`: whether events carry a verified signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebType {
    /// Signed events only.
    Web3,
    /// Unsigned (RSS) events only.
    Web2,
}

/// `activity`: how many reactions a post has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activity {
    /// At least the instance's "hot" threshold.
    Hot,
    /// At least the "rising" threshold.
    Rising,
}

/// The filters of `GET /api/events`. Repeated parameters (`action=post&action=reply`) match
/// any of their values, as on the current upstream server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FeedFilter {
    /// Signed or unsigned.
    pub web_type: Option<WebType>,
    /// Exact actions (`post`, `reply`, `react`, ...); empty: every action.
    pub actions: Vec<String>,
    /// Category names; empty: every category.
    pub categories: Vec<String>,
    /// The source name (RSS feeds, federation peers).
    pub source: Option<String>,
    /// Hot or rising.
    pub activity: Option<Activity>,
    /// Keywords, in lower case; empty: no keyword filter.
    pub keywords: Vec<String>,
    /// Verified signers (normalised addresses); empty: every signer.
    pub signers: Vec<String>,
    /// Ids of parents (any id form); empty: no parent filter.
    pub parent_ids: Vec<String>,
}

/// A parsed `GET /api/events` request: `None` limit means the request asked for `limit=0`,
/// which the existing server answers with `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRequest {
    /// The filters.
    pub filter: FeedFilter,
    /// The window, or `None` for `limit=0`.
    pub page: Option<Page>,
}

/// Why a query parameter was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ERROR: invalid query parameter {name}: {reason}")]
pub struct QueryError {
    /// The parameter.
    pub name: String,
    /// What is wrong.
    pub reason: String,
}

/// The existing server treats an absent parameter, an empty one and the string `false` alike.
fn given(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !value.is_empty() && *value != "false")
}

/// Parses a `before`/`since` cursor.
pub fn parse_cursor(name: &str, value: Option<&str>) -> Result<Option<i64>, QueryError> {
    given(value)
        .map(|value| {
            value.parse::<i64>().map_err(|_| QueryError {
                name: name.into(),
                reason: format!("{value:?} is not an event key"),
            })
        })
        .transpose()
}

/// The existing server's `limit` rule: the default when absent, negative or not a number;
/// at most [`MAX_LIMIT`]; `0` means "nothing" (`None`).
pub fn parse_limit(value: Option<&str>, default: u32) -> Option<u32> {
    match given(value).map(str::parse::<i64>) {
        Some(Ok(0)) => None,
        Some(Ok(limit)) if limit > 0 => {
            Some(u32::try_from(limit).unwrap_or(MAX_LIMIT).min(MAX_LIMIT))
        }
        _ => Some(default),
    }
}

/// A page from `limit`, `before` and `since`.
pub fn parse_page(
    limit: Option<&str>,
    before: Option<&str>,
    since: Option<&str>,
    default_limit: u32,
) -> Result<Option<Page>, QueryError> {
    let before = parse_cursor("before", before)?;
    let since = parse_cursor("since", since)?;
    Ok(parse_limit(limit, default_limit).map(|limit| Page {
        limit,
        before,
        since,
    }))
}

/// Looks a parameter up in decoded `(name, value)` pairs (the first one wins).
pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Every value of a repeated parameter (`id=A&id=B`).
pub fn params<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .collect()
}

impl FeedRequest {
    /// Parses the query of `GET /api/events`. The default limit is 25 for an empty query
    /// and 20 otherwise, as in the existing server.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, QueryError> {
        let get = |name: &str| given(param(pairs, name));
        let web_type = match get("webType") {
            Some("web3") => Some(WebType::Web3),
            Some("web2") => Some(WebType::Web2),
            Some("all") | None => None,
            Some(other) => {
                return Err(QueryError {
                    name: "webType".into(),
                    reason: format!("{other:?} is not web3, web2 or all"),
                });
            }
        };
        let activity = match get("activity") {
            Some("hot") => Some(Activity::Hot),
            Some("rising") => Some(Activity::Rising),
            _ => None,
        };
        // `any` (and `all`) as one of the values switch a filter off, as upstream.
        let every = |name: &str| -> Result<Vec<String>, QueryError> {
            let values: Vec<&str> = params(pairs, name)
                .into_iter()
                .filter_map(|value| given(Some(value)))
                .collect();
            if values.len() > MAX_REPEATED {
                return Err(QueryError {
                    name: name.into(),
                    reason: format!("at most {MAX_REPEATED} values are taken"),
                });
            }
            if values.iter().any(|value| matches!(*value, "any" | "all")) {
                return Ok(Vec::new());
            }
            Ok(values.into_iter().map(str::to_owned).collect())
        };
        let mut signers = Vec::new();
        for signer in every("signer")? {
            match crate::address::AuthorAddress::parse(&signer) {
                Ok(address) => signers.push(address.as_str().to_owned()),
                Err(error) => {
                    return Err(QueryError {
                        name: "signer".into(),
                        reason: error.to_string(),
                    });
                }
            }
        }
        let filter = FeedFilter {
            web_type,
            actions: every("action")?,
            categories: every("category")?,
            source: get("source").map(str::to_owned),
            activity,
            keywords: every("keyword")?
                .iter()
                .map(|keyword| keyword.to_lowercase())
                .collect(),
            signers,
            parent_ids: every("parentId")?
                .iter()
                .map(|id| crate::service::lookup_id(id))
                .collect(),
        };
        let default_limit = if pairs.is_empty() { 25 } else { 20 };
        let page = parse_page(
            param(pairs, "limit"),
            param(pairs, "before"),
            param(pairs, "since"),
            default_limit,
        )?;
        Ok(Self { filter, page })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (key.to_owned(), value.to_owned())
            })
            .collect()
    }

    #[test]
    fn limits_follow_the_existing_server() {
        assert_eq!(FeedRequest::parse(&[]).unwrap().page.unwrap().limit, 25);
        let limit = |query: &str| {
            FeedRequest::parse(&pairs(query))
                .unwrap()
                .page
                .map(|page| page.limit)
        };
        assert_eq!(limit("action=post"), Some(20));
        assert_eq!(limit("limit=7"), Some(7));
        assert_eq!(limit("limit=1000"), Some(300));
        assert_eq!(limit("limit=-4"), Some(20));
        assert_eq!(limit("limit=many"), Some(20));
        assert_eq!(limit("limit=false"), Some(20));
        assert_eq!(limit("limit=0"), None);
    }

    #[test]
    fn false_any_and_empty_mean_no_filter() {
        let request = FeedRequest::parse(&pairs(
            "webType=web3&action=post&category=any&source=false&activity=rising&keyword=BTC&limit=20",
        ))
        .unwrap();
        assert_eq!(
            request.filter,
            FeedFilter {
                web_type: Some(WebType::Web3),
                actions: vec!["post".into()],
                activity: Some(Activity::Rising),
                keywords: vec!["btc".into()],
                ..FeedFilter::default()
            }
        );
    }

    #[test]
    fn repeated_parameters_match_any_of_their_values() {
        let request = FeedRequest::parse(&pairs(
            "action=post&action=reply&category=a&category=b&keyword=X&keyword=y\
             &signer=0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A&parentId=spasmid01AB",
        ))
        .unwrap();
        assert_eq!(request.filter.actions, ["post", "reply"]);
        assert_eq!(request.filter.categories, ["a", "b"]);
        assert_eq!(request.filter.keywords, ["x", "y"]);
        assert_eq!(
            request.filter.signers,
            ["0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a"]
        );
        assert_eq!(request.filter.parent_ids, ["spasmid01AB"]);
        let any = FeedFilter::default();
        assert_eq!(
            FeedRequest::parse(&pairs("action=any&category=post&category=any&signer=all"))
                .unwrap()
                .filter,
            FeedFilter {
                categories: Vec::new(),
                ..any
            }
        );
        assert!(FeedRequest::parse(&pairs("signer=nobody")).is_err());
    }

    #[test]
    fn bad_cursors_and_web_types_are_errors() {
        assert!(FeedRequest::parse(&pairs("before=abc")).is_err());
        assert!(FeedRequest::parse(&pairs("webType=web5")).is_err());
        let page = FeedRequest::parse(&pairs("before=10&since=2"))
            .unwrap()
            .page
            .unwrap();
        assert_eq!((page.before, page.since), (Some(10), Some(2)));
    }
}
