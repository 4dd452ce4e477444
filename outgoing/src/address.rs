//! Which IP addresses an outgoing request may reach.
//!
//! A forum fetches what strangers name (a federation source, a feed, a relay, a NIP-05
//! host): without this check a URL could make the server read its own admin ports or the
//! host's private network (server-side request forgery). Every address is checked after
//! resolution, whatever the name, and IP literals too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not public, in words a host understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Reachable on the internet.
    Public,
    /// `127.0.0.0/8`, `::1`: this machine.
    Loopback,
    /// `10/8`, `172.16/12`, `192.168/16` (RFC 1918).
    Private,
    /// `169.254/16`, `fe80::/10`: link-local (cloud metadata services live here).
    LinkLocal,
    /// `100.64/10` (RFC 6598): carrier-grade NAT.
    SharedCgnat,
    /// `fc00::/7` (RFC 4193).
    UniqueLocal,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `0.0.0.0/8`, `::`.
    Unspecified,
    /// Broadcast, documentation, benchmarking and reserved ranges.
    Reserved,
}

impl AddressClass {
    /// The class of `ip`; IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible and NAT64
    /// (`64:ff9b::/96`) IPv6 addresses are judged by the IPv4 address they carry.
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self::of_v4(v4),
            IpAddr::V6(v6) => Self::of_v6(v6),
        }
    }

    fn of_v4(ip: Ipv4Addr) -> Self {
        let [a, b, c, _] = ip.octets();
        if ip.is_unspecified() || a == 0 {
            Self::Unspecified
        } else if ip.is_loopback() {
            Self::Loopback
        } else if ip.is_private() {
            Self::Private
        } else if ip.is_link_local() {
            Self::LinkLocal
        } else if a == 100 && (64..128).contains(&b) {
            Self::SharedCgnat
        } else if ip.is_multicast() {
            Self::Multicast
        } else if ip.is_broadcast()
            || a >= 240
            || (a == 192 && b == 0 && c == 0)
            || (a == 192 && b == 0 && c == 2)
            || (a == 198 && (b == 18 || b == 19))
            || (a == 198 && b == 51 && c == 100)
            || (a == 203 && b == 0 && c == 113)
        {
            Self::Reserved
        } else {
            Self::Public
        }
    }

    fn of_v6(ip: Ipv6Addr) -> Self {
        if let Some(v4) = embedded_v4(ip) {
            return Self::of_v4(v4);
        }
        let [first, second, ..] = ip.segments();
        if ip.is_unspecified() {
            Self::Unspecified
        } else if ip.is_loopback() {
            Self::Loopback
        } else if ip.is_multicast() {
            Self::Multicast
        } else if first & 0xfe00 == 0xfc00 {
            Self::UniqueLocal
        } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
            Self::LinkLocal
        } else if first == 0x2001 && (second == 0x0db8 || second == 0)
            || first == 0x64 && second == 0xff9b
            || first & 0xe000 != 0x2000
        {
            // Documentation, Teredo (2001::/32, whose IPv4 end is hidden), local-use NAT64
            // (64:ff9b:1::/48), and everything outside global unicast 2000::/3.
            Self::Reserved
        } else {
            Self::Public
        }
    }

    /// Whether a request may go there without the host allowing private networks.
    pub fn is_public(self) -> bool {
        self == Self::Public
    }

    /// What the address is, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Public => "a public address",
            Self::Loopback => "a loopback address (this machine)",
            Self::Private => "a private network address",
            Self::LinkLocal => "a link-local address",
            Self::SharedCgnat => "a carrier-grade NAT address",
            Self::UniqueLocal => "a unique-local IPv6 address",
            Self::Multicast => "a multicast address",
            Self::Unspecified => "an unspecified address",
            Self::Reserved => "a reserved address",
        }
    }
}

/// The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 IPv6 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let segments = ip.segments();
    let [_, _, _, _, _, _, high, low] = segments;
    let v4 = Ipv4Addr::new(
        (high >> 8) as u8,
        (high & 0xff) as u8,
        (low >> 8) as u8,
        (low & 0xff) as u8,
    );
    // ::a.b.c.d (deprecated IPv4-compatible), but not :: and ::1.
    if segments[..6].iter().all(|segment| *segment == 0) && (high != 0) {
        return Some(v4);
    }
    // 64:ff9b::/96 (RFC 6052 NAT64) reaches the IPv4 address it carries.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(v4);
    }
    // 2002:AABB:CCDD::/48 (6to4) reaches A.B.C.D.
    if segments[0] == 0x2002 {
        let [_, high, low, ..] = segments;
        return Some(Ipv4Addr::new(
            (high >> 8) as u8,
            (high & 0xff) as u8,
            (low >> 8) as u8,
            (low & 0xff) as u8,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> AddressClass {
        AddressClass::of(text.parse().unwrap_or_else(|_| unreachable!("{text}")))
    }

    #[test]
    fn every_non_public_range_is_named() {
        for (text, expected) in [
            ("127.0.0.1", AddressClass::Loopback),
            ("127.9.9.9", AddressClass::Loopback),
            ("::1", AddressClass::Loopback),
            ("10.1.2.3", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("172.31.255.255", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("169.254.169.254", AddressClass::LinkLocal),
            ("fe80::1", AddressClass::LinkLocal),
            ("100.64.0.1", AddressClass::SharedCgnat),
            ("100.127.255.255", AddressClass::SharedCgnat),
            ("fc00::1", AddressClass::UniqueLocal),
            ("fd12:3456::1", AddressClass::UniqueLocal),
            ("224.0.0.1", AddressClass::Multicast),
            ("ff02::1", AddressClass::Multicast),
            ("0.0.0.0", AddressClass::Unspecified),
            ("0.1.2.3", AddressClass::Unspecified),
            ("::", AddressClass::Unspecified),
            ("255.255.255.255", AddressClass::Reserved),
            ("192.0.2.1", AddressClass::Reserved),
            ("2001:db8::1", AddressClass::Reserved),
        ] {
            assert_eq!(class(text), expected, "{text}");
        }
    }

    #[test]
    fn ipv4_inside_ipv6_is_judged_as_ipv4() {
        assert_eq!(class("::ffff:127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("::ffff:10.0.0.1"), AddressClass::Private);
        assert_eq!(class("::ffff:169.254.169.254"), AddressClass::LinkLocal);
        assert_eq!(class("::127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("64:ff9b::10.0.0.1"), AddressClass::Private);
        assert_eq!(class("::ffff:93.184.216.34"), AddressClass::Public);
        assert_eq!(class("2002:7f00:1::1"), AddressClass::Loopback);
        assert_eq!(class("2002:a00:1::"), AddressClass::Private);
        assert_eq!(class("2002:5db8:d822::1"), AddressClass::Public);
        assert_eq!(class("2001:0:4136:e378::1"), AddressClass::Reserved);
        assert_eq!(class("64:ff9b:1::a00:1"), AddressClass::Reserved);
    }

    #[test]
    fn public_addresses_pass() {
        for text in [
            "93.184.216.34",
            "1.1.1.1",
            "100.63.0.1",
            "172.32.0.1",
            "2606:4700::1111",
        ] {
            assert!(class(text).is_public(), "{text}");
        }
    }
}
