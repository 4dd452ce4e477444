//! Embeds the built site (wasm, JavaScript, CSS, static assets) into the server binary,
//! each file with the precompressed variants `cargo xtask build` wrote beside it
//! (`<file>.br`, `<file>.zst`, `<file>.gz`: a site file with such a name is taken for a
//! variant, never served under its own name).
//!
//! `cargo xtask build` assembles the site and sets `SPASM_SITE_DIR` to it. Without that
//! variable the binary embeds nothing and serves pages without their browser bundle,
//! which is enough for `cargo test` of the server.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Suffixes of precompressed variants and the `Content-Encoding` each is served with.
const VARIANTS: &[(&str, &str)] = &[("br", "br"), ("zst", "zstd"), ("gz", "gzip")];

fn main() {
    println!("cargo:rerun-if-env-changed=SPASM_SITE_DIR");
    let mut generated = String::from("/// Files of the site, by path relative to the site root.\n");
    generated.push_str("pub static SITE_FILES: &[SiteFile] = &[\n");
    let mut bundles = Vec::new();
    let mut stylesheet = String::from("spasm_forum.css");
    if let Some(site_dir) = env::var_os("SPASM_SITE_DIR").map(PathBuf::from) {
        println!("cargo:rerun-if-changed={}", site_dir.display());
        let mut files = Vec::new();
        collect_files(&site_dir, &mut files);
        files.sort();
        for file in &files {
            let is_variant = VARIANTS
                .iter()
                .any(|(suffix, _)| file.extension().is_some_and(|ext| ext == *suffix));
            if is_variant {
                continue;
            }
            let Ok(relative) = file.strip_prefix(&site_dir) else {
                continue;
            };
            let Ok(bytes) = fs::read(file) else { continue };
            let relative = relative.to_string_lossy().replace('\\', "/");
            if let Some(name) = relative
                .strip_prefix("pkg/")
                .filter(|name| !name.contains('/'))
            {
                // `spasm_forum-<family>-<hash>.js`: a browser bundle.
                if let Some(stem) = name.strip_suffix(".js") {
                    if let Some((family, _hash)) = stem
                        .strip_prefix("spasm_forum-")
                        .and_then(|rest| rest.rsplit_once('-'))
                    {
                        bundles.push((family.to_owned(), stem.to_owned()));
                    }
                } else if name.ends_with(".css") {
                    stylesheet = name.to_owned();
                }
            }
            let mut variants = String::new();
            for (suffix, encoding) in VARIANTS {
                let mut variant = file.clone().into_os_string();
                variant.push(".");
                variant.push(suffix);
                let variant = PathBuf::from(variant);
                if let Ok(encoded) = fs::read(&variant) {
                    let _ = write!(
                        variants,
                        "Variant {{ encoding: {encoding:?}, bytes: include_bytes!({variant:?}), etag: \"\\\"{:016x}-{suffix}\\\"\" }}, ",
                        fnv1a(&encoded)
                    );
                }
            }
            let _ = writeln!(
                generated,
                "    SiteFile {{ path: {relative:?}, bytes: include_bytes!({file:?}), etag: \"\\\"{:016x}\\\"\", variants: &[{variants}] }},",
                fnv1a(&bytes)
            );
        }
    }
    generated.push_str("];\n");
    let _ = writeln!(
        generated,
        "/// The browser bundles, `(family, file stem)`: `/pkg/<stem>.js` and `/pkg/<stem>_bg.wasm`.\npub const BUNDLES: &[(&str, &str)] = &{bundles:?};"
    );
    let _ = writeln!(
        generated,
        "/// The stylesheet's address.\npub const STYLESHEET_HREF: &str = \"/pkg/{stylesheet}\";"
    );
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default()).join("site_files.rs");
    if let Err(error) = fs::write(&out, generated) {
        println!("cargo:warning=could not write {}: {error}", out.display());
    }
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// A content hash for the ETag, so browsers revalidate cheaply after an upgrade.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
