//! Assembling the site the server embeds: the browser bundles (wasm-bindgen glue minified by
//! terser and wasm shrunk by `wasm-opt`, one per page family: see `app/src/bundles.rs`), the stylesheet and
//! `public/`, with content-hashed names for what changes between builds and every
//! compressible file precompressed once.
//!
//! Names: `pkg/spasm_forum-<family>-<hash>.js` and `pkg/spasm_forum-<family>-<hash>_bg.wasm`
//! share one hash (of both files, since the glue and the module change together); the stylesheet is
//! `pkg/spasm_forum-<hash>.css`. The hash is the first 16 hex digits of SHA-256. The server
//! serves such names as immutable; any other name under `pkg/` does not exist.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::{OUTPUT_NAME, RunExt, step};

/// Builds `<target>/site` from the browser bundles' wasm modules (`(family, module)`: the
/// `app` crate built for the browser with each family's islands); returns the site's
/// directory. Each bundle is published as `pkg/{OUTPUT_NAME}-<family>-<hash>.js` and
/// `…_bg.wasm`, the hash being of both files. `keep_names` keeps the modules' function names,
/// for a size profiler (`twiggy top`); they double a module's size, so only
/// `cargo xtask bundle` asks for them.
pub fn assemble(
    workspace: &Path,
    target_dir: &Path,
    bundles: &[(String, PathBuf)],
    keep_names: bool,
) -> Result<PathBuf> {
    let site = target_dir.join("site");
    let staging = target_dir.join("site-staging");
    if site.exists() {
        fs::remove_dir_all(&site).with_context(|| format!("cannot clear {}", site.display()))?;
    }
    let pkg = site.join("pkg");
    fs::create_dir_all(&pkg)?;
    for (family, wasm) in bundles {
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        wasm_bindgen_cli_support::Bindgen::new()
            .input_path(wasm)
            .web(true)?
            .typescript(false)
            // The name section alone is larger than the code; browsers do not need it.
            .remove_name_section(!keep_names)
            .remove_producers_section(true)
            .out_name(OUTPUT_NAME)
            .generate(&staging)
            .with_context(|| format!("wasm-bindgen failed on the `{family}` bundle"))?;
        let staged_wasm = staging.join(format!("{OUTPUT_NAME}_bg.wasm"));
        let staged_js = staging.join(format!("{OUTPUT_NAME}.js"));
        let unoptimised = fs::metadata(&staged_wasm)?.len();
        optimise_wasm(workspace, &staged_wasm, keep_names)?;
        // Names kept for a profiler keep the glue readable too.
        if !keep_names {
            minify_glue(workspace, &staged_js)?;
        }
        println!(
            "wasm `{family}`: {} bytes after wasm-bindgen, {} after wasm-opt",
            unoptimised,
            fs::metadata(&staged_wasm)?.len()
        );

        let js = fs::read(&staged_js)?;
        let module = fs::read(&staged_wasm)?;
        let bundle = format!("{OUTPUT_NAME}-{family}-{}", content_hash(&[&js, &module]));
        fs::write(pkg.join(format!("{bundle}.js")), js)?;
        fs::write(pkg.join(format!("{bundle}_bg.wasm")), module)?;
        // Inline JavaScript of crates (`#[wasm_bindgen(inline_js)]`), imported by the glue
        // under names that already carry wasm-bindgen's hash (the same in every bundle).
        if staging.join("snippets").exists() {
            crate::copy_dir(&staging.join("snippets"), &pkg.join("snippets"))?;
        }
    }
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }

    let css = stylesheet(&workspace.join("style"))?;
    let css_name = format!("{OUTPUT_NAME}-{}.css", content_hash(&[css.as_bytes()]));
    fs::write(pkg.join(css_name), css)?;
    crate::copy_dir(&workspace.join("public"), &site)?;

    step("precompressing the site (brotli 11, zstd 19, gzip 9)");
    crate::compress::precompress_dir(&site)?;
    Ok(site)
}

/// The first 16 hex digits of the SHA-256 of `parts`, one after another.
fn content_hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    hex::encode(&digest[..8])
}

/// The wasm features Rust's `wasm32-unknown-unknown` target emits by default, which
/// `wasm-opt` must be told it may keep.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The path of `tool` from the npm registry (`wasm-opt`, `terser`), pinned in
/// `xtask/npm-tools/package-lock.json` and installed there by `npm ci` when missing.
fn npm_tool(workspace: &Path, tool: &str) -> Result<PathBuf> {
    let tools = workspace.join("xtask").join("npm-tools");
    let path = tools.join("node_modules").join(".bin").join(tool);
    if !path.exists() {
        step("wasm-opt and terser (from the npm registry)");
        let installed = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&tools)
            .run();
        if let Err(error) = installed {
            bail!(
                "{tool} is needed to shrink the browser bundles and comes from the npm \
                 registry: install Node.js and npm (`apt install nodejs npm`), then build again \
                 ({error:#})"
            );
        }
    }
    Ok(path)
}

/// Minifies wasm-bindgen's JavaScript glue in place with terser (as an ES module, whose
/// export names and the import object's keys, which the wasm module links by, stay as
/// they are): about a quarter less to download and half as much to parse.
fn minify_glue(workspace: &Path, js: &Path) -> Result<()> {
    let terser = npm_tool(workspace, "terser")?;
    let minified = js.with_extension("min.js");
    Command::new(&terser)
        .arg(js)
        .args(["--module", "--compress", "--mangle", "--output"])
        .arg(&minified)
        .run()?;
    fs::rename(&minified, js)?;
    Ok(())
}

/// Shrinks the module in place with `wasm-opt -Oz` from the npm registry's `binaryen`
/// (Debian's binaryen 108 breaks hydration).
fn optimise_wasm(workspace: &Path, wasm: &Path, keep_names: bool) -> Result<()> {
    let wasm_opt = npm_tool(workspace, "wasm-opt")?;
    step("wasm-opt -Oz");
    let optimised = wasm.with_extension("opt.wasm");
    Command::new(&wasm_opt)
        .arg("-Oz")
        .args(WASM_FEATURES)
        .arg(if keep_names { "-g" } else { "--strip-debug" })
        .arg("--strip-producers")
        .arg(wasm)
        .arg("-o")
        .arg(&optimised)
        .run()?;
    fs::rename(&optimised, wasm)?;
    Ok(())
}

/// All CSS files of `style/`, in name order, as one stylesheet.
fn stylesheet(style_dir: &Path) -> Result<String> {
    let mut files: Vec<PathBuf> = fs::read_dir(style_dir)
        .with_context(|| format!("cannot read {}", style_dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "css"))
        .collect();
    files.sort();
    let mut css = String::new();
    for file in files {
        css.push_str(&fs::read_to_string(&file)?);
        css.push('\n');
    }
    Ok(css)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_16_hex_digits_of_everything() {
        let one = content_hash(&[b"glue", b"module"]);
        assert_eq!(one.len(), 16);
        assert!(one.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(one, content_hash(&[b"glue", b"module2"]));
    }
}
