//! Identicons: the classic ethereum-blockies algorithm (8 × 8 blocks, mirrored, three
//! colours) that the old client draws on a canvas, drawn here as SVG so that it shows
//! without JavaScript and is cached by the browser.

use core::fmt::Write as _;

/// Blocks per side.
const SIZE: usize = 8;

/// An identicon: its three colours and its blocks, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Blockie {
    /// Blocks of value 1.
    pub color: String,
    /// The background (blocks of value 0).
    pub background: String,
    /// Blocks of any other value.
    pub spot: String,
    /// `SIZE × SIZE` values, row by row.
    pub cells: [u8; SIZE * SIZE],
}

impl Blockie {
    /// The identicon of `seed`, as the old client computes it.
    pub fn new(seed: &str) -> Self {
        let mut random = SeededRandom::new(seed);
        let color = random.color();
        let background = random.color();
        let spot = random.color();
        let mut cells = [0u8; SIZE * SIZE];
        let half = SIZE.div_ceil(2);
        for row in cells.chunks_exact_mut(SIZE) {
            for x in 0..half {
                // At most 4: `next` is below 2, times 2.3.
                let value = (random.next() * 2.3).floor() as u8;
                row[x] = value;
                row[SIZE - 1 - x] = value;
            }
        }
        Self {
            color,
            background,
            spot,
            cells,
        }
    }

    /// The identicon as an SVG document (one unit per block; the page sets the size).
    pub fn to_svg(&self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {SIZE} {SIZE}\" \
             shape-rendering=\"crispEdges\">{}</svg>",
            self.svg_paths()
        )
    }

    /// The drawing inside the SVG: the background, then one path per colour whose blocks
    /// are drawn as horizontal runs (`M1 0h3v1h-3z`), colours as `#rrggbb`. A few hundred
    /// bytes, small enough to stand in the page beside every author.
    pub fn svg_paths(&self) -> String {
        let mut svg = format!(
            "<path fill=\"{}\" d=\"M0 0h{SIZE}v{SIZE}H0z\"/>",
            css_hsl_to_hex(&self.background)
        );
        for (wanted, fill) in [(1_u8, &self.color), (2, &self.spot)] {
            let mut path = String::new();
            for (y, row) in self.cells.chunks_exact(SIZE).enumerate() {
                let mut x = 0;
                while x < SIZE {
                    if row[x].min(2) != wanted {
                        x += 1;
                        continue;
                    }
                    let start = x;
                    while x < SIZE && row[x].min(2) == wanted {
                        x += 1;
                    }
                    let run = x - start;
                    let _ = write!(path, "M{start} {y}h{run}v1h-{run}z");
                }
            }
            if !path.is_empty() {
                let _ = write!(
                    svg,
                    "<path fill=\"{}\" d=\"{path}\"/>",
                    css_hsl_to_hex(fill)
                );
            }
        }
        svg
    }
}

/// `hsl(h,s%,l%)` as `#rrggbb` (CSS Color 4's conversion), which says the same in a
/// seventh of the bytes; black for anything else.
fn css_hsl_to_hex(hsl: &str) -> String {
    let numbers: Vec<f64> = hsl
        .trim_start_matches("hsl(")
        .trim_end_matches(')')
        .split(',')
        .filter_map(|part| part.trim().trim_end_matches('%').parse().ok())
        .collect();
    let [hue, saturation, lightness] = numbers[..] else {
        return "#000000".to_owned();
    };
    let (saturation, lightness) = (saturation / 100.0, lightness / 100.0);
    let channel = |n: f64| {
        let k = (n + hue / 30.0) % 12.0;
        let a = saturation * lightness.min(1.0 - lightness);
        let value = lightness - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0);
        (value * 255.0).round().clamp(0.0, 255.0) as u8
    };
    format!(
        "#{:02x}{:02x}{:02x}",
        channel(0.0),
        channel(8.0),
        channel(4.0)
    )
}

/// The old client's generator: Java's `String.hashCode` spread over four 32-bit values,
/// then xorshift. JavaScript keeps the seeding sums as doubles and truncates them to 32
/// bits only inside the shifts; `i64` holds those sums exactly for any seed of sensible
/// length, and wrapping keeps absurd ones from panicking.
struct SeededRandom([i64; 4]);

impl SeededRandom {
    fn new(seed: &str) -> Self {
        let mut state = [0i64; 4];
        for (index, unit) in seed.encode_utf16().enumerate() {
            let slot = &mut state[index % 4];
            let shifted = i64::from(to_int32(*slot).wrapping_shl(5));
            *slot = shifted.wrapping_sub(*slot).wrapping_add(i64::from(unit));
        }
        Self(state)
    }

    /// A number in `[0, 2)` (the old client divides an unsigned 32-bit value by 2^31).
    fn next(&mut self) -> f64 {
        let first = to_int32(self.0[0]);
        let t = first ^ first.wrapping_shl(11);
        self.0[0] = self.0[1];
        self.0[1] = self.0[2];
        self.0[2] = self.0[3];
        let last = to_int32(self.0[3]);
        let last = last ^ (last >> 19) ^ t ^ (t >> 8);
        self.0[3] = i64::from(last);
        f64::from(last as u32) / 2_147_483_648.0
    }

    /// `hsl(h,s%,l%)` with the old client's numbers, printed as JavaScript prints them.
    fn color(&mut self) -> String {
        let hue = (self.next() * 360.0).floor();
        let saturation = self.next() * 60.0 + 40.0;
        let lightness = (self.next() + self.next() + self.next() + self.next()) * 25.0;
        format!(
            "hsl({},{}%,{}%)",
            js_number(hue),
            js_number(saturation),
            js_number(lightness)
        )
    }
}

/// JavaScript's ToInt32 of an integral value.
fn to_int32(value: i64) -> i32 {
    value as i32
}

/// A number as JavaScript's `String(number)` writes it, for the values colours take
/// (between 0 and 720, never in exponent form): Rust's shortest round-trip digits.
fn js_number(value: f64) -> String {
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Colours and blocks computed by the old client's algorithm in Node.js.
    #[test]
    fn matches_the_old_client() {
        for (seed, color, background, spot, cells) in EXPECTED {
            let blockie = Blockie::new(seed);
            assert_eq!(blockie.color, *color, "seed {seed}");
            assert_eq!(blockie.background, *background, "seed {seed}");
            assert_eq!(blockie.spot, *spot, "seed {seed}");
            let actual: String = blockie.cells.iter().map(u8::to_string).collect();
            assert_eq!(actual, *cells, "seed {seed}");
        }
    }

    #[test]
    fn draws_every_block_that_is_not_background() {
        let blockie = Blockie::new("0xf8553015220a857eda377a1e903c9e5afb3ac2fa");
        let svg = blockie.to_svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        // Every run's width, summed per colour, is the number of blocks of that colour.
        let paths: Vec<&str> = svg.split("<path ").skip(1).collect();
        assert_eq!(paths.len(), 3);
        for (path, wanted) in paths[1..].iter().zip([1_u8, 2]) {
            let drawn: usize = path
                .split('h')
                .skip(1)
                .filter_map(|rest| rest.split('v').next()?.parse::<usize>().ok())
                .sum();
            let blocks = blockie
                .cells
                .iter()
                .filter(|value| (**value).min(2) == wanted)
                .count();
            assert_eq!(drawn, blocks, "{path}");
        }
        assert!(svg.len() < 700, "{} bytes", svg.len());
    }

    #[test]
    fn colours_convert_as_css_does() {
        assert_eq!(css_hsl_to_hex("hsl(0,100%,50%)"), "#ff0000");
        assert_eq!(css_hsl_to_hex("hsl(120,100%,25%)"), "#008000");
        assert_eq!(css_hsl_to_hex("hsl(240,100%,50%)"), "#0000ff");
        assert_eq!(css_hsl_to_hex("hsl(0,0%,100%)"), "#ffffff");
        assert_eq!(css_hsl_to_hex("nonsense"), "#000000");
    }

    const EXPECTED: &[(&str, &str, &str, &str, &str)] = &[
        (
            "0xf8553015220a857eda377a1e903c9e5afb3ac2fa",
            "hsl(208,94.23608115874231%,43.82437977474183%)",
            "hsl(206,55.37405673414469%,49.25508602755144%)",
            "hsl(154,93.71971786953509%,66.04816293111071%)",
            "1011110102100120012112100020020000011000011001101102201100111100",
        ),
        (
            "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a",
            "hsl(62,69.05290984548628%,54.33708713389933%)",
            "hsl(124,99.56321874633431%,44.882575096562505%)",
            "hsl(226,92.09296084009111%,57.22705484367907%)",
            "1120021111011011111001111001100100122100010110101100001120111102",
        ),
        (
            "0xF8553015220A857eDA377A1E903c9E5AFb3aC2Fa",
            "hsl(353,98.84660134091973%,40.027263190131634%)",
            "hsl(165,44.27530641667545%,52.32572627719492%)",
            "hsl(348,84.92604789324105%,74.64297763071954%)",
            "1011110111111111100110011100001100000000211001121000000101100110",
        ),
        (
            "npub1sg6plzptd64u62a878hep2kev88swjh3tw00gjsfl8f237lmu63q0uf63m",
            "hsl(79,53.986203419044614%,71.36475223815069%)",
            "hsl(238,72.23337885923684%,42.97409657156095%)",
            "hsl(50,81.16716721095145%,57.59288383414969%)",
            "0210012010211201111111111101101100100100200000021000000110111101",
        ),
        (
            "npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6",
            "hsl(342,63.192764380946755%,56.69384690700099%)",
            "hsl(170,50.83932499401271%,34.10796008538455%)",
            "hsl(156,88.74505040235817%,29.773207858670503%)",
            "0000000012011021000110000011110022211222111001112101101211100111",
        ),
        (
            "a",
            "hsl(0,40.005574775859714%,4.74562484305352%)",
            "hsl(68,40.005574775859714%,9.694967221003026%)",
            "hsl(64,57.5833482388407%,32.606751658022404%)",
            "0010010011100111001001000220022011111111212222122010010201111110",
        ),
        (
            "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
            "hsl(335,78.71126265265048%,50.95338354585692%)",
            "hsl(67,50.591112058609724%,39.20682375319302%)",
            "hsl(160,98.93801842816174%,26.85205190209672%)",
            "0100001020011002111111110211112000100100001001000200002012100121",
        ),
        (
            "üñí-côdé 9",
            "hsl(84,40.35824963822961%,43.40513915522024%)",
            "hsl(121,53.79754552617669%,49.26224588416517%)",
            "hsl(195,82.10102918557823%,30.57380005484447%)",
            "0101101022122122001111001010010110200201120000210201102010122101",
        ),
    ];
}
