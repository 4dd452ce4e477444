//! RSS items (web2 posts) and the fields of V0 post rows (SPEC.md §5.9–5.10).

use serde_json::{Map, Value};

use super::json::{format_named, object, truthy_field};
use super::{ConvertError, Depth, convert_value};
use crate::action::Reaction;
use crate::timestamps::to_timestamp;

/// The reactions a V0 row counts, in the order spasm.js reads them.
const V0_REACTIONS: [Reaction; 11] = [
    Reaction::Upvote,
    Reaction::Downvote,
    Reaction::Bullish,
    Reaction::Bearish,
    Reaction::Important,
    Reaction::Scam,
    Reaction::Laugh,
    Reaction::Toxic,
    Reaction::Clown,
    Reaction::Moon,
    Reaction::Rocket,
];

/// spasm.js `createLinkObjectFromUrl`: the URL split into its WHATWG components.
pub fn link_object(url_text: &str, key: Option<&str>) -> Option<Value> {
    let url = crate::whatwg_url::parse(url_text)?;
    let mut link = Map::new();
    link.insert("value".into(), Value::from(url_text));
    let search = url
        .query
        .filter(|query| !query.is_empty())
        .map(|query| format!("?{query}"));
    let hash = url
        .fragment
        .filter(|fragment| !fragment.is_empty())
        .map(|fragment| format!("#{fragment}"));
    let fields = [
        ("protocol", Some(url.scheme)),
        ("origin", Some(url.origin)),
        ("host", Some(url.host)),
        ("pathname", Some(url.path)),
        ("search", search),
        ("port", url.port),
        ("hash", hash),
        ("originalProtocolKey", key.map(str::to_string)),
    ];
    for (name, value) in fields {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            link.insert(name.into(), Value::from(value));
        }
    }
    Some(Value::Object(link))
}

/// An RSS item → `SpasmEventV2` (before the V0 fields).
pub(super) fn convert_rss_item(post: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("type".into(), Value::from("SpasmEventV2"));
    out.insert("action".into(), Value::from("post"));
    if let Some(title) = truthy_field(post, "title") {
        out.insert("title".into(), title.clone());
    }
    if let Some(timestamp) = truthy_field(post, "pubdate").and_then(to_timestamp) {
        out.insert("timestamp".into(), Value::from(timestamp));
    }
    if let Some(description) = truthy_field(post, "description") {
        out.insert("content".into(), description.clone());
    }
    let mut keywords: Option<Vec<Value>> = post.get("tags").and_then(Value::as_array).cloned();
    match post.get("tickers") {
        Some(Value::String(ticker)) if !ticker.is_empty() => keywords
            .get_or_insert_with(Vec::new)
            .push(Value::from(ticker.as_str())),
        Some(Value::Array(tickers)) => keywords
            .get_or_insert_with(Vec::new)
            .extend(tickers.iter().cloned()),
        _ => {}
    }
    if let Some(keywords) = keywords {
        out.insert("keywords".into(), Value::Array(keywords));
    }
    let mut ids = Vec::new();
    let mut links = Vec::new();
    if let Some(url) = post
        .get("url")
        .and_then(Value::as_str)
        .filter(|url| !url.is_empty())
    {
        ids.push(object([
            ("value", Value::from(url)),
            ("format", format_named("url")),
        ]));
        links.extend(link_object(url, Some("url")));
    }
    if let Some(guid) = truthy_field(post, "guid") {
        ids.push(object([
            ("value", guid.clone()),
            ("format", format_named("guid")),
        ]));
        if let Some(guid) = guid.as_str() {
            links.extend(link_object(guid, Some("guid")));
        }
    }
    if !ids.is_empty() {
        out.insert("ids".into(), Value::Array(ids.clone()));
    }
    if !links.is_empty() {
        out.insert("links".into(), Value::Array(links));
    }
    if let Some(author) = truthy_field(post, "author") {
        let author = object([(
            "usernames",
            Value::Array(vec![object([("value", author.clone())])]),
        )]);
        out.insert("authors".into(), Value::Array(vec![author]));
    }
    let mut original = post.as_object().cloned().unwrap_or_default();
    original.remove("children");
    let sibling = object([
        ("type", Value::from("SiblingWeb2V2")),
        ("protocol", object([("name", Value::from("web2"))])),
        ("ids", Value::Array(ids)),
        ("originalObject", Value::Object(original)),
    ]);
    out.insert("siblings".into(), Value::Array(vec![sibling]));
    out
}

/// Adds the fields of a V0 post row (`id`, `added_time`, `source`, `category`, reaction
/// counts, `comments_count`, `children`) to a converted event.
pub(super) fn add_v0_fields(
    post: &Value,
    out: &mut Map<String, Value>,
    depth: Depth,
) -> Result<(), ConvertError> {
    let key = match post.get("id") {
        Some(Value::Number(number)) => Some(Value::Number(number.clone())),
        Some(Value::String(text)) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n != 0)
            .map(Value::from),
        _ => None,
    };
    let added = truthy_field(post, "added_time").and_then(to_timestamp);
    if key.is_some() || added.is_some() {
        let db = out.entry("db").or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(db) = db {
            if let Some(key) = key {
                db.insert("key".into(), key);
            }
            if let Some(added) = added {
                db.insert("addedTimestamp".into(), Value::from(added));
            }
        }
    }
    if let Some(source) = truthy_field(post, "source").filter(|_| !out.contains_key("source")) {
        out.insert("source".into(), object([("name", source.clone())]));
    }
    if let Some(category) =
        truthy_field(post, "category").filter(|_| !out.contains_key("categories"))
    {
        out.insert(
            "categories".into(),
            Value::Array(vec![object([("name", category.clone())])]),
        );
    }
    let contents: Vec<Value> = V0_REACTIONS
        .iter()
        .filter_map(|reaction| {
            post.get(reaction.name())
                .filter(|count| count.is_number())
                .map(|count| (reaction.name(), count))
        })
        .map(|(name, count)| object([("value", Value::from(name)), ("total", count.clone())]))
        .collect();
    let mut stats = Vec::new();
    if !contents.is_empty() {
        stats.push(object([
            ("action", Value::from("react")),
            ("contents", Value::Array(contents)),
        ]));
    }
    if let Some(count) = post.get("comments_count").filter(|count| count.is_number()) {
        stats.push(object([
            ("action", Value::from("reply")),
            ("total", count.clone()),
        ]));
    }
    if !stats.is_empty() {
        out.insert("stats".into(), Value::Array(stats));
    }
    if let Some(children) = post
        .get("children")
        .and_then(Value::as_array)
        .filter(|children| !children.is_empty())
    {
        let mut converted_children = Vec::new();
        for child in children {
            // A child that does not convert is left out, as spasm.js does.
            if let Ok(converted) = convert_value(child, depth.deeper()?) {
                let ids = converted.get("ids").cloned().unwrap_or(Value::Null);
                converted_children
                    .push(object([("ids", ids), ("event", Value::Object(converted))]));
            }
        }
        if !converted_children.is_empty() {
            out.insert("children".into(), Value::Array(converted_children));
        }
    }
    Ok(())
}
