//! Full-text search over titles and contents: what a search asks ([`SearchQuery`]), the one
//! tokenisation both databases index ([`indexed_words`]), and highlighted excerpts
//! ([`excerpt`]).
//!
//! Words are cut and lower-cased here, in Rust, and each database only splits the stored
//! words at spaces (SQLite FTS5's `unicode61` tokenizer, PostgreSQL's `simple`
//! configuration), so that a search finds the same events on both.
//!
//! The rules a visitor sees (the README says them too):
//! * a word is a run of letters and digits, in any script, compared in lower case;
//! * every word searched for must be in the title or the content;
//! * a word of three letters or more also finds longer words that start with it
//!   (`sign` finds `signed` and `signature`); shorter ones only themselves;
//! * results are newest first, and paged by the event key (`before`) like the feed.

use std::fmt;

/// The most characters a search may have.
pub const MAX_QUERY_CHARS: usize = 200;

/// The most words one search may have.
pub const MAX_QUERY_WORDS: usize = 8;

/// Words longer than this (in characters) are not indexed: hashes, keys and base64 blobs
/// are found by their id, not by words, and would bloat the index.
const MAX_WORD_CHARS: usize = 64;

/// A word this long or longer also matches the longer words it begins.
const PREFIX_FROM_CHARS: usize = 3;

/// Characters around the first match in an excerpt.
const EXCERPT_CHARS: usize = 220;

/// Why a search was refused, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// Nothing to search for.
    #[error("Type a word to search for.")]
    NoWords,
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("A search may be at most {MAX_QUERY_CHARS} characters long.")]
    TooLong,
    /// More words than [`MAX_QUERY_WORDS`].
    #[error("A search may have at most {MAX_QUERY_WORDS} words.")]
    TooManyWords,
}

/// A parsed search: the text as typed and its distinct words, in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    text: String,
    words: Vec<String>,
}

impl SearchQuery {
    /// Parses what a visitor typed (`q`).
    ///
    /// # Errors
    /// [`SearchError`] when it has no word, is longer than [`MAX_QUERY_CHARS`] or has more
    /// than [`MAX_QUERY_WORDS`] words.
    pub fn parse(text: &str) -> Result<Self, SearchError> {
        let text = text.trim();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::TooLong);
        }
        let mut words: Vec<String> = Vec::new();
        for word in words_of(text) {
            if !words.contains(&word) {
                words.push(word);
            }
        }
        if words.is_empty() {
            return Err(SearchError::NoWords);
        }
        if words.len() > MAX_QUERY_WORDS {
            return Err(SearchError::TooManyWords);
        }
        Ok(Self {
            text: text.to_owned(),
            words,
        })
    }

    /// The text as typed (trimmed), for the search box and links.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The distinct words, in lower case.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The query in SQLite FTS5's syntax: each word quoted (it holds only letters and
    /// digits, so quoting is all the escaping it needs), a prefix query (`*`) where
    /// [`PREFIX_FROM_CHARS`] allows; words side by side must all match.
    pub fn fts5_match(&self) -> String {
        self.words
            .iter()
            .map(|word| {
                if is_prefix(word) {
                    format!("\"{word}\"*")
                } else {
                    format!("\"{word}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The query in PostgreSQL's `to_tsquery` syntax: `word:*` for prefixes, joined by `&`.
    pub fn tsquery(&self) -> String {
        self.words
            .iter()
            .map(|word| {
                if is_prefix(word) {
                    format!("{word}:*")
                } else {
                    word.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// Whether `word` (in lower case) is one this search finds.
    fn finds(&self, word: &str) -> bool {
        self.words.iter().any(|searched| {
            word == searched || (is_prefix(searched) && word.starts_with(searched.as_str()))
        })
    }
}

impl fmt::Display for SearchQuery {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

fn is_prefix(word: &str) -> bool {
    word.chars().count() >= PREFIX_FROM_CHARS
}

/// The words of `text`, in lower case: runs of letters and digits.
pub(crate) fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

/// What the databases index for an event: the words of its title and content, lower case,
/// separated by single spaces, without the overlong ones ([`MAX_WORD_CHARS`]).
pub fn indexed_words(title: &str, content: &str) -> String {
    let mut indexed = String::with_capacity(title.len() + content.len());
    for word in words_of(title).chain(words_of(content)) {
        if word.chars().count() > MAX_WORD_CHARS {
            continue;
        }
        if !indexed.is_empty() {
            indexed.push(' ');
        }
        indexed.push_str(&word);
    }
    indexed
}

/// A piece of shown text: `marked` when it is a word the search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    /// The text, as it was written.
    pub text: String,
    /// Whether it is a found word (shown as `<mark>`).
    pub marked: bool,
}

/// `text` cut in pieces, the words `query` finds marked.
pub fn highlight(text: &str, query: &SearchQuery) -> Vec<Marked> {
    let mut pieces: Vec<Marked> = Vec::new();
    let mut push = |piece: &str, marked: bool| match pieces.last_mut() {
        Some(last) if last.marked == marked => last.text.push_str(piece),
        _ if piece.is_empty() => {}
        _ => pieces.push(Marked {
            text: piece.to_owned(),
            marked,
        }),
    };
    let mut start = 0;
    for (index, word) in word_spans(text) {
        push(&text[start..index], false);
        push(word, query.finds(&word.to_lowercase()));
        start = index + word.len();
    }
    push(&text[start..], false);
    pieces
}

/// The words of `text` with their byte offsets.
fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (index, character) in text.char_indices() {
        match (character.is_alphanumeric(), start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                spans.push((from, &text[from..index]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        spans.push((from, &text[from..]));
    }
    spans.into_iter()
}

/// About [`EXCERPT_CHARS`] characters of `text` around the first word `query` finds (the
/// start of the text when none is in it), whitespace collapsed, cut at word boundaries with
/// `…` where text was left out, the found words marked.
pub fn excerpt(text: &str, query: &SearchQuery) -> Vec<Marked> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let first_found = word_spans(&text)
        .find(|(_, word)| query.finds(&word.to_lowercase()))
        .map_or(0, |(index, _)| index);
    // A third of the excerpt before the match, to show what leads to it.
    let before = EXCERPT_CHARS / 3;
    let mut start = text[..first_found]
        .char_indices()
        .rev()
        .nth(before.saturating_sub(1))
        .map_or(0, |(index, _)| index);
    if start > 0 {
        // Start at the next word, not inside one.
        start = text[start..]
            .find(' ')
            .map_or(first_found, |space| (start + space + 1).min(first_found));
    }
    let mut end = text[start..]
        .char_indices()
        .nth(EXCERPT_CHARS)
        .map_or(text.len(), |(index, _)| start + index);
    if end < text.len() {
        end = text[start..end]
            .rfind(' ')
            .map_or(end, |space| start + space);
    }
    let mut pieces = highlight(&text[start..end], query);
    if start > 0 {
        pieces.insert(
            0,
            Marked {
                text: "… ".to_owned(),
                marked: false,
            },
        );
    }
    if end < text.len() {
        pieces.push(Marked {
            text: " …".to_owned(),
            marked: false,
        });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> SearchQuery {
        SearchQuery::parse(text).expect("a search")
    }

    fn shown(pieces: &[Marked]) -> String {
        pieces
            .iter()
            .map(|piece| {
                if piece.marked {
                    format!("[{}]", piece.text)
                } else {
                    piece.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn a_search_is_its_distinct_words_in_lower_case() {
        let search = query("  Signed, signed EVENTS — Ünïcode 42 ");
        assert_eq!(search.words(), ["signed", "events", "ünïcode", "42"]);
        assert_eq!(search.text(), "Signed, signed EVENTS — Ünïcode 42");
        assert_eq!(
            search.fts5_match(),
            r#""signed"* "events"* "ünïcode"* "42""#
        );
        assert_eq!(search.tsquery(), "signed:* & events:* & ünïcode:* & 42");
    }

    #[test]
    fn punctuation_cannot_reach_the_query_languages() {
        let search = query(r#"a" OR "b* NEAR(c) & !d:* | 'e'"#);
        for word in search.words() {
            assert!(word.chars().all(char::is_alphanumeric), "{word}");
        }
        assert_eq!(search.fts5_match(), r#""a" "or" "b" "near"* "c" "d" "e""#);
    }

    #[test]
    fn searches_without_words_or_too_long_are_refused_in_words() {
        assert_eq!(SearchQuery::parse("  "), Err(SearchError::NoWords));
        assert_eq!(SearchQuery::parse("?!…"), Err(SearchError::NoWords));
        assert_eq!(
            SearchQuery::parse(&"a".repeat(MAX_QUERY_CHARS + 1)),
            Err(SearchError::TooLong)
        );
        assert_eq!(
            SearchQuery::parse("a b c d e f g h i"),
            Err(SearchError::TooManyWords)
        );
        assert_eq!(
            SearchError::NoWords.to_string(),
            "Type a word to search for."
        );
    }

    #[test]
    fn indexed_words_are_the_words_the_search_cuts() {
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(
            indexed_words(
                "Hello, World!",
                &format!("example.com/path?q=1 don't {long} Straße")
            ),
            "hello world example com path q 1 don t straße"
        );
        assert_eq!(indexed_words("", ""), "");
    }

    #[test]
    fn found_words_are_marked_where_they_were_written() {
        let search = query("sign rust");
        assert_eq!(
            shown(&highlight(
                "Signed in Rust; a signpost. Rusty? No: rust!",
                &search
            )),
            "[Signed] in [Rust]; a [signpost]. [Rusty]? No: [rust]!"
        );
        // Short words find only themselves.
        assert_eq!(shown(&highlight("an answer", &query("an"))), "[an] answer");
    }

    #[test]
    fn an_excerpt_shows_the_first_match_with_what_leads_to_it() {
        let filler = "word ".repeat(200);
        let text = format!("{filler}the needle\n\nin   the haystack {filler}");
        let pieces = excerpt(&text, &query("needle"));
        let shown = shown(&pieces);
        assert!(shown.starts_with("… word"), "{shown}");
        assert!(shown.contains("the [needle] in the haystack"), "{shown}");
        assert!(shown.ends_with("word …"), "{shown}");
        assert!(shown.chars().count() <= EXCERPT_CHARS + 10, "{shown}");
        // Without a match in it, the start of the text.
        assert_eq!(
            shown_of(excerpt("Short text.", &query("absent"))),
            "Short text."
        );
        // A match at the start is not preceded by an ellipsis.
        assert!(
            shown_of(excerpt("Needle first, then more.", &query("needle"))).starts_with("[Needle]")
        );
    }

    fn shown_of(pieces: Vec<Marked>) -> String {
        shown(&pieces)
    }
}
