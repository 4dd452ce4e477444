//! Light or dark: follows the system until the visitor chooses, then remembers the choice.

use leptos::prelude::*;

/// A button that switches between the light and the dark theme.
#[island]
pub fn ThemeToggle() -> impl IntoView {
    // `None` until hydration: the server cannot know the visitor's theme.
    let dark = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let chosen = root().and_then(|root| root.get_attribute("data-theme"));
            let system_dark = web_sys::window()
                .and_then(|window| {
                    window
                        .match_media("(prefers-color-scheme: dark)")
                        .ok()
                        .flatten()
                })
                .is_some_and(|query| query.matches());
            dark.set(Some(match chosen.as_deref() {
                Some("dark") => true,
                Some("light") => false,
                _ => system_dark,
            }));
        }
    });
    let toggle = move |_| {
        let next = !dark.get_untracked().unwrap_or(false);
        dark.set(Some(next));
        #[cfg(feature = "hydrate")]
        {
            let theme = if next { "dark" } else { "light" };
            if let Some(root) = root() {
                let _ = root.set_attribute("data-theme", theme);
            }
            if let Some(storage) =
                web_sys::window().and_then(|window| window.local_storage().ok().flatten())
            {
                let _ = storage.set_item("spasm-forum.theme", theme);
            }
        }
    };
    view! {
        <button type="button" class="button theme-toggle" disabled=move || dark.get().is_none()
            aria-pressed=move || if dark.get() == Some(true) { "true" } else { "false" }
            on:click=toggle>
            "Dark theme"
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn root() -> Option<web_sys::Element> {
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
}

/// WCAG 2.1 contrast of the stylesheet's colours, in both themes: text at least 4.5:1 (AA)
/// on every background it is shown on, the focus ring at least 3:1 (non-text contrast).
#[cfg(test)]
mod contrast {
    const STYLESHEET: &str = include_str!("../../../style/main.css");

    /// `--name: light-dark(#light, #dark);` → the two colours.
    fn colour(name: &str) -> ([f64; 3], [f64; 3]) {
        let declaration = format!("--{name}: light-dark(");
        let start = STYLESHEET
            .find(&declaration)
            .unwrap_or_else(|| panic!("--{name} is not defined with light-dark()"))
            + declaration.len();
        let end = start
            + STYLESHEET[start..]
                .find(')')
                .expect("a closing parenthesis");
        let mut pair = STYLESHEET[start..end].split(',').map(|hex| {
            let hex = hex.trim().trim_start_matches('#');
            assert_eq!(hex.len(), 6, "--{name}: six hex digits");
            let channel = |index: usize| {
                f64::from(u8::from_str_radix(&hex[index..index + 2], 16).expect("hex")) / 255.0
            };
            [channel(0), channel(2), channel(4)]
        });
        (pair.next().expect("light"), pair.next().expect("dark"))
    }

    fn luminance([r, g, b]: [f64; 3]) -> f64 {
        let linear = |c: f64| {
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    fn ratio(a: [f64; 3], b: [f64; 3]) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn every_text_colour_meets_wcag_aa_in_both_themes() {
        let pairs = [
            ("text", "bg", 4.5),
            ("text", "surface", 4.5),
            ("muted", "bg", 4.5),
            ("muted", "surface", 4.5),
            ("accent", "bg", 4.5),
            ("accent", "surface", 4.5),
            ("success", "surface", 4.5),
            ("error", "surface", 4.5),
            ("accent-text", "accent", 4.5),
            ("accent-text", "error", 4.5),
            ("surface", "text", 4.5),
            ("focus", "bg", 3.0),
            ("focus", "surface", 3.0),
        ];
        for (foreground, background, minimum) in pairs {
            let (light_fg, dark_fg) = colour(foreground);
            let (light_bg, dark_bg) = colour(background);
            for (theme, contrast) in [
                ("light", ratio(light_fg, light_bg)),
                ("dark", ratio(dark_fg, dark_bg)),
            ] {
                assert!(
                    contrast >= minimum,
                    "{theme}: --{foreground} on --{background} is {contrast:.2}:1, below {minimum}:1"
                );
            }
        }
    }
}
