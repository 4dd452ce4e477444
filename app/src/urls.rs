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
