//! String comparison as JavaScript's `String.prototype.localeCompare` does it by default
//! (ICU root collation, tertiary strength), which `spasmid01` sorts depend on.

use core::cmp::Ordering;
use std::sync::OnceLock;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};

fn collator() -> Option<&'static CollatorBorrowed<'static>> {
    static COLLATOR: OnceLock<Option<CollatorBorrowed<'static>>> = OnceLock::new();
    COLLATOR
        .get_or_init(|| Collator::try_new(Default::default(), CollatorOptions::default()).ok())
        .as_ref()
}

/// `a.localeCompare(b)` under the root locale.
pub fn locale_compare(a: &str, b: &str) -> Ordering {
    match collator() {
        Some(collator) => collator.compare(a, b),
        // The compiled-in root data always loads; a byte order keeps sorting total if not.
        None => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_root_collation_not_bytes() {
        let mut words = vec![
            "B", "b", "a b", "ab", "A", "a_b", "a", "a-b", "ä", "10", "9", "_x", "-x", "",
        ];
        words.sort_by(|a, b| locale_compare(a, b));
        assert_eq!(
            words,
            [
                "", "_x", "-x", "10", "9", "a", "A", "ä", "a b", "a_b", "a-b", "ab", "b", "B"
            ]
        );
    }
}
