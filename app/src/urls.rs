//! Links with user values in them (ids, categories, keywords, cursors, the current query):
//! every value is percent-encoded here, so `privacy&activity=hot` stays one category and an
//! id with `/` or `?` stays one path segment.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The instance's public address as its host configured it (`SPASM_INSTANCE_URL` or the
/// TOML file's `instance_url`): `https://forum.example`, without a trailing slash. The server
/// gives it to every page it renders; canonical and OpenGraph addresses are absolute with it.
/// Without one they stay paths: a page kept for every visitor must not take its address
/// from one request's `Host`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteAddress(Option<String>);

impl SiteAddress {
    /// The address `configured` (any trailing `/` dropped); none without one. Errors: an
    /// address that is not `http(s)://…`, in words for the host.
    pub fn parse(configured: Option<&str>) -> Result<Self, String> {
        let Some(address) = configured.map(|address| address.trim().trim_end_matches('/')) else {
            return Ok(Self(None));
        };
        let host = address
            .strip_prefix("https://")
            .or_else(|| address.strip_prefix("http://"))
            .unwrap_or_default();
        if host.is_empty() || host.contains(['"', '<', '>', ' ', '?', '#']) {
            return Err(format!(
                "the instance's address must be an http(s):// address such as https://forum.example, not {address:?}"
            ));
        }
        Ok(Self(Some(address.to_owned())))
    }

    /// The address, when one is configured.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// `path` (from `/`) as an absolute address, or as it is without a configured address.
    pub fn absolute(&self, path: &str) -> String {
        match &self.0 {
            Some(site) => format!("{site}{path}"),
            None => path.to_owned(),
        }
    }
}

/// `value` as one path segment (`/news/{segment}`).
pub fn path_segment(value: &str) -> String {
    utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// `path` with a query of `pairs`, each name and value form-encoded
/// (`application/x-www-form-urlencoded`, as browsers write forms); `path` alone without pairs.
pub fn with_query<'a>(path: &str, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (name, value) in pairs {
        query.append_pair(name, value);
        any = true;
    }
    if any {
        format!("{path}?{}", query.finish())
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_absolute_with_a_configured_site_only() {
        let site = SiteAddress::parse(Some("https://forum.example/")).unwrap();
        assert_eq!(site.absolute("/news/x"), "https://forum.example/news/x");
        assert_eq!(
            SiteAddress::parse(None).unwrap().absolute("/about"),
            "/about"
        );
        assert!(SiteAddress::parse(Some("forum.example")).is_err());
        assert!(SiteAddress::parse(Some("https://\"x")).is_err());
    }

    #[test]
    fn user_values_stay_one_value() {
        assert_eq!(
            with_query("/", [("category", "privacy&activity=hot")]),
            "/?category=privacy%26activity%3Dhot"
        );
        assert_eq!(
            with_query("/", [("activity", "hot"), ("category", "c #1/é")]),
            "/?activity=hot&category=c+%231%2F%C3%A9"
        );
        assert_eq!(with_query("/", []), "/");
        assert_eq!(path_segment("https://a.b/c?d"), "https%3A%2F%2Fa.b%2Fc%3Fd");
        assert_eq!(path_segment("spasmid01ab-_.~"), "spasmid01ab-_.~");
    }
}
