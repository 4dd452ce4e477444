//! Precompression of the site's static files, once at build time at the highest levels
//! browsers decode (a server compressing per request can only afford its fastest level):
//! `<file>.br` (brotli, quality 11), `<file>.zst` (zstd, level 19: its window stays within
//! the 8 MiB browsers accept) and `<file>.gz` (gzip, level 9), each kept only when smaller.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Extensions of files worth compressing (images such as PNG are compressed already).
const COMPRESSIBLE: &[&str] = &[
    "js",
    "mjs",
    "wasm",
    "css",
    "svg",
    "txt",
    "json",
    "webmanifest",
    "html",
    "xml",
];

/// One encoding: the file suffix the server looks for and how to make it.
struct Encoding {
    suffix: &'static str,
    encode: fn(&[u8]) -> Result<Vec<u8>>,
}

const ENCODINGS: &[Encoding] = &[
    Encoding {
        suffix: "br",
        encode: brotli_11,
    },
    Encoding {
        suffix: "zst",
        encode: zstd_19,
    },
    Encoding {
        suffix: "gz",
        encode: gzip_9,
    },
];

/// Writes the compressed variants of every compressible file under `dir`.
pub fn precompress_dir(dir: &Path) -> Result<()> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    for file in files {
        let compressible = file
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| COMPRESSIBLE.contains(&extension));
        if !compressible {
            continue;
        }
        let bytes = fs::read(&file)?;
        let mut sizes = vec![format!("{} raw", bytes.len())];
        for encoding in ENCODINGS {
            let encoded = (encoding.encode)(&bytes)
                .with_context(|| format!("cannot compress {}", file.display()))?;
            if encoded.len() < bytes.len() {
                sizes.push(format!("{} {}", encoded.len(), encoding.suffix));
                let mut name = file.clone().into_os_string();
                name.push(".");
                name.push(encoding.suffix);
                fs::write(PathBuf::from(name), encoded)?;
            }
        }
        let relative = file.strip_prefix(dir).unwrap_or(&file);
        println!("{}: {}", relative.display(), sizes.join(", "));
    }
    Ok(())
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn brotli_11(bytes: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut output = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut output, &params)?;
    Ok(output)
}

fn zstd_19(bytes: &[u8]) -> Result<Vec<u8>> {
    Ok(zstd::bulk::compress(bytes, 19)?)
}

fn gzip_9(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn every_encoding_round_trips() -> Result<()> {
        let text = "a forum page, a forum page, a forum page ".repeat(100);
        let bytes = text.as_bytes();

        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut &brotli_11(bytes)?[..], &mut unbrotli)?;
        assert_eq!(unbrotli, bytes);

        assert_eq!(
            zstd::bulk::decompress(&zstd_19(bytes)?, bytes.len())?,
            bytes
        );

        let mut ungzip = Vec::new();
        flate2::read::GzDecoder::new(&gzip_9(bytes)?[..]).read_to_end(&mut ungzip)?;
        assert_eq!(ungzip, bytes);
        Ok(())
    }
}
