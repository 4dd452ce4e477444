//! NIP-19 bech32 identifiers: `npub`, `note` and `nevent` (with its TLV fields).

use bech32::{Bech32, Hrp};

use super::{NostrEventId, NostrPublicKey};

/// Why a string is not the NIP-19 identifier asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Nip19Error {
    /// Not valid bech32 (bad characters or checksum).
    #[error("not a valid bech32 string")]
    NotBech32,
    /// Valid bech32 with another prefix than expected.
    #[error("expected a `{expected}` identifier, found `{found}`")]
    WrongPrefix {
        /// The prefix asked for.
        expected: &'static str,
        /// The prefix found.
        found: String,
    },
    /// The payload has the wrong size or a malformed TLV field.
    #[error("the identifier's payload is malformed")]
    BadPayload,
}

/// The decoded content of an `nevent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nevent {
    /// The event id (TLV type 0).
    pub id: NostrEventId,
    /// Relays where the event may be found (TLV type 1).
    pub relays: Vec<String>,
    /// The author's key (TLV type 2), when given.
    pub author: Option<NostrPublicKey>,
    /// The event kind (TLV type 3), when given.
    pub kind: Option<u32>,
}

/// The longest identifier decoded, in characters: `nevent`s with many relays are long, but
/// not unboundedly so.
pub const MAX_NIP19_LENGTH: usize = 5_000;

fn encode(prefix: &'static str, data: &[u8]) -> String {
    // Both prefixes here are valid and the data is short, so encoding cannot fail.
    Hrp::parse(prefix)
        .ok()
        .and_then(|hrp| bech32::encode::<Bech32>(hrp, data).ok())
        .unwrap_or_default()
}

fn decode(expected: &'static str, text: &str) -> Result<Vec<u8>, Nip19Error> {
    if text.len() > MAX_NIP19_LENGTH {
        return Err(Nip19Error::BadPayload);
    }
    let (hrp, data) = bech32::decode(text).map_err(|_| Nip19Error::NotBech32)?;
    if hrp.as_str() != expected {
        return Err(Nip19Error::WrongPrefix {
            expected,
            found: hrp.to_string(),
        });
    }
    Ok(data)
}

fn bytes32(data: &[u8]) -> Result<[u8; 32], Nip19Error> {
    data.try_into().map_err(|_| Nip19Error::BadPayload)
}

/// `npub1…` of a public key.
pub fn encode_npub(key: &NostrPublicKey) -> String {
    encode("npub", key.as_bytes())
}

/// The public key of an `npub1…`.
pub fn decode_npub(text: &str) -> Result<NostrPublicKey, Nip19Error> {
    decode("npub", text)
        .and_then(|data| bytes32(&data))
        .map(NostrPublicKey::from_bytes)
}

/// `note1…` of an event id.
pub fn encode_note(id: &NostrEventId) -> String {
    encode("note", id.as_bytes())
}

/// The event id of a `note1…`.
pub fn decode_note(text: &str) -> Result<NostrEventId, Nip19Error> {
    decode("note", text)
        .and_then(|data| bytes32(&data))
        .map(NostrEventId::from_bytes)
}

/// `nevent1…` with the id first, then relays, author and kind as given.
pub fn encode_nevent(nevent: &Nevent) -> String {
    let mut data = vec![0, 32];
    data.extend_from_slice(nevent.id.as_bytes());
    for relay in &nevent.relays {
        // A relay URL longer than a TLV can carry is left out rather than truncated.
        if let Ok(length) = u8::try_from(relay.len()) {
            data.extend_from_slice(&[1, length]);
            data.extend_from_slice(relay.as_bytes());
        }
    }
    if let Some(author) = &nevent.author {
        data.extend_from_slice(&[2, 32]);
        data.extend_from_slice(author.as_bytes());
    }
    if let Some(kind) = nevent.kind {
        data.extend_from_slice(&[3, 4]);
        data.extend_from_slice(&kind.to_be_bytes());
    }
    encode("nevent", &data)
}

/// Decodes an `nevent1…` with any TLV fields (NIP-19); unknown TLV types are skipped.
pub fn decode_nevent(text: &str) -> Result<Nevent, Nip19Error> {
    let data = decode("nevent", text)?;
    let mut id = None;
    let mut nevent = Nevent {
        id: NostrEventId::from_bytes([0; 32]),
        relays: Vec::new(),
        author: None,
        kind: None,
    };
    let mut rest = data.as_slice();
    while let [kind, length, tail @ ..] = rest {
        let length = usize::from(*length);
        if tail.len() < length {
            return Err(Nip19Error::BadPayload);
        }
        let (value, next) = tail.split_at(length);
        match kind {
            0 => id = Some(NostrEventId::from_bytes(bytes32(value)?)),
            1 => nevent
                .relays
                .push(String::from_utf8(value.to_vec()).map_err(|_| Nip19Error::BadPayload)?),
            2 => nevent.author = Some(NostrPublicKey::from_bytes(bytes32(value)?)),
            3 => {
                nevent.kind = Some(u32::from_be_bytes(
                    value.try_into().map_err(|_| Nip19Error::BadPayload)?,
                ))
            }
            _ => {}
        }
        rest = next;
    }
    if !rest.is_empty() {
        return Err(Nip19Error::BadPayload);
    }
    nevent.id = id.ok_or(Nip19Error::BadPayload)?;
    Ok(nevent)
}

/// An identifier as people paste it, made comparable: surrounding white space trimmed, a
/// NIP-21 `nostr:` prefix (any case) removed, and a NIP-19 identifier written in upper case
/// (BIP-173 allows all-upper case, which QR codes use) lowered. Mixed case stays as it is,
/// which bech32 refuses. Everything else (hex, URLs, guids) is returned as written.
pub fn bare_identifier(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.trim();
    let text = match text.get(..6) {
        Some(scheme) if scheme.eq_ignore_ascii_case("nostr:") => &text[6..],
        _ => text,
    };
    let upper_bech32 = ["NPUB1", "NOTE1", "NEVENT1", "NPROFILE1", "NADDR1"]
        .iter()
        .any(|prefix| text.starts_with(prefix))
        && !text.chars().any(|c| c.is_ascii_lowercase());
    if upper_bech32 {
        std::borrow::Cow::Owned(text.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// spasm.js `toBeHex`: the hex of an `npub`, `note` or `nevent`, a 64-character string as
/// it is, and `""` for anything else (including `0x…` and bad checksums).
pub fn to_hex_lenient(text: &str) -> String {
    let length = text.chars().count();
    if text.is_empty() || text.starts_with("0x") {
        return String::new();
    }
    if length == 63 && text.starts_with("npub") {
        return decode_npub(text)
            .map(|key| key.to_string())
            .unwrap_or_default();
    }
    if length == 63 && text.starts_with("note") {
        return decode_note(text)
            .map(|id| id.to_string())
            .unwrap_or_default();
    }
    if text.starts_with("nevent1") {
        return decode_nevent(text)
            .map(|nevent| nevent.id.to_string())
            .unwrap_or_default();
    }
    if length == 64 {
        return text.to_string();
    }
    String::new()
}

fn lowercase_hex_32(text: &str) -> Option<[u8; 32]> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text.to_ascii_lowercase(), &mut bytes).ok()?;
    Some(bytes)
}

/// spasm.js `toBeNpub`: the `npub` of 64 hex digits, an `npub` as it is, `""` otherwise.
pub fn to_npub_lenient(text: &str) -> String {
    if text.chars().count() == 63 && text.starts_with("npub") {
        return text.to_string();
    }
    if text.len() == 64 {
        return lowercase_hex_32(text)
            .map(|bytes| encode_npub(&NostrPublicKey::from_bytes(bytes)))
            .unwrap_or_default();
    }
    String::new()
}

/// spasm.js `toBeNote`: the `note` of 64 hex digits or of an `nevent`, a `note` as it is,
/// `""` otherwise.
pub fn to_note_lenient(text: &str) -> String {
    if text.chars().count() == 63 && text.starts_with("note") {
        return text.to_string();
    }
    if text.starts_with("nevent1") {
        return decode_nevent(text)
            .map(|nevent| encode_note(&nevent.id))
            .unwrap_or_default();
    }
    if text.len() == 64 {
        return lowercase_hex_32(text)
            .map(|bytes| encode_note(&NostrEventId::from_bytes(bytes)))
            .unwrap_or_default();
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    // NIP-19's own example.
    const HEX: &str = "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d";
    const NPUB: &str = "npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6";

    #[test]
    fn npub_round_trips() {
        let key: NostrPublicKey = HEX.parse().unwrap();
        assert_eq!(encode_npub(&key), NPUB);
        assert_eq!(decode_npub(NPUB).unwrap(), key);
        assert!(matches!(
            decode_note(NPUB),
            Err(Nip19Error::WrongPrefix { .. })
        ));
        assert_eq!(
            decode_npub(&NPUB.replace('w', "q")),
            Err(Nip19Error::NotBech32)
        );
    }

    #[test]
    fn nevent_with_relays_author_and_kind_round_trips() {
        let nevent = Nevent {
            id: HEX.parse().unwrap(),
            relays: vec!["wss://relay.example".into(), "wss://other.example".into()],
            author: Some(HEX.parse().unwrap()),
            kind: Some(1),
        };
        let text = encode_nevent(&nevent);
        assert!(text.len() > 90, "long nevents must work too");
        assert_eq!(decode_nevent(&text).unwrap(), nevent);
        let minimal = Nevent {
            relays: vec![],
            author: None,
            kind: None,
            ..nevent
        };
        let text = encode_nevent(&minimal);
        assert_eq!(text.len(), 68);
        assert_eq!(decode_nevent(&text).unwrap(), minimal);
    }

    #[test]
    fn truncated_tlv_is_rejected() {
        let broken = encode("nevent", &[0, 32, 1, 2, 3]);
        assert_eq!(decode_nevent(&broken), Err(Nip19Error::BadPayload));
        assert_eq!(
            decode_nevent(&encode("nevent", &[1, 1, b'x'])),
            Err(Nip19Error::BadPayload)
        );
    }

    #[test]
    fn identifiers_are_bare_and_lower_case_before_look_up() {
        let note = "note1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0sg5qyy7";
        assert_eq!(bare_identifier(&note.to_uppercase()), note);
        assert_eq!(bare_identifier(&format!(" nostr:{note} ")), note);
        assert_eq!(
            bare_identifier(&format!("NOSTR:{}", note.to_uppercase())),
            note
        );
        // Mixed case is not bech32, and other identifiers keep their case.
        let mixed = format!("NOTE1{}", &note[5..]);
        assert_eq!(bare_identifier(&mixed), mixed);
        assert_eq!(
            bare_identifier("https://a.example/P"),
            "https://a.example/P"
        );
    }
}
