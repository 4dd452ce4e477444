//! Converts one event many times, for profilers: `cargo run --release --example profile_convert -- FILE N`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a JSON file");
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let bytes = std::fs::read(path).unwrap();
    for _ in 0..rounds {
        std::hint::black_box(spasm::convert::parse_and_convert(&bytes).unwrap());
    }
}
