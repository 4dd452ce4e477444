//! Reading a Nostr event's tags (NIP-01: arrays whose first element names the tag).

use serde_json::Value;

/// The values (second elements) of `event`'s tags named `name`, in order; malformed tags
/// are skipped.
pub fn tag_values<'a>(event: &'a Value, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    event
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .filter(move |tag| tag.first().and_then(Value::as_str) == Some(name))
        .filter_map(|tag| tag.get(1).and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_of_the_named_tags_in_order() {
        let event = json!({"tags": [["e", "a"], ["p", "x"], "junk", ["e"], ["e", 3], ["e", "b", "wss://r"]]});
        assert_eq!(tag_values(&event, "e").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(tag_values(&json!({}), "e").count(), 0);
    }
}
