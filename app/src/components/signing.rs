//! Signing in the browser: the connected Ethereum wallet (shared by every form on the page),
//! building the `SpasmEventBodyV2` with the `spasm` crate, asking the wallet to sign it and
//! submitting it through the forum's one ingest path.

use leptos::prelude::*;
use spasm::action::Action;
use spasm::body::RawJson;
use spasm::signing::Unsigned;

use super::Notice;
use crate::browser::ethereum::WalletInfo;
use crate::server_fns::SubmitReply;

/// Which keys sign what the visitor sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SignWith {
    /// The Ethereum wallet (`personal_sign`).
    #[default]
    Ethereum,
    /// The Nostr extension (`signEvent` of the body's Nostr form).
    Nostr,
    /// Both: one event with two signatures (multi-signing).
    Both,
}

impl SignWith {
    /// The name the choice is remembered by.
    fn name(self) -> &'static str {
        match self {
            Self::Ethereum => "ethereum",
            Self::Nostr => "nostr",
            Self::Both => "both",
        }
    }

    /// The choice remembered as `name`.
    fn from_name(name: &str) -> Option<Self> {
        [Self::Ethereum, Self::Nostr, Self::Both]
            .into_iter()
            .find(|mode| mode.name() == name)
    }

    /// Whether the Ethereum wallet signs.
    pub fn uses_ethereum(self) -> bool {
        matches!(self, Self::Ethereum | Self::Both)
    }

    /// Whether the Nostr extension signs.
    pub fn uses_nostr(self) -> bool {
        matches!(self, Self::Nostr | Self::Both)
    }
}

/// The page's signing state.
#[derive(Debug, Clone, Copy)]
pub struct Signing {
    /// The connected wallet and account.
    pub wallet: RwSignal<Option<(WalletInfo, String)>>,
    /// The id of the wallet the person chose last, connected or since disconnected: the
    /// only one whose account changes the page follows.
    pub chosen_wallet: RwSignal<Option<String>>,
    /// The header's notice, where connections made on the way to signing are reported.
    pub header_notice: RwSignal<Notice>,
    /// The connected Nostr key (hex), remembered across visits.
    pub nostr: RwSignal<Option<String>>,
    /// Which keys sign ([`Signing::choose`] remembers a choice).
    pub mode: RwSignal<SignWith>,
    /// Whether this browser has both an Ethereum wallet and a Nostr extension (then the
    /// header offers the choice).
    pub has_both: RwSignal<bool>,
    /// Whether the wasm is running (forms work only then).
    pub interactive: RwSignal<bool>,
    /// Whether the author asks the server to publish to Nostr relays too (while a Nostr key
    /// signs).
    pub publish_to_nostr: RwSignal<bool>,
}

/// Where the connected Nostr key is remembered.
#[cfg(feature = "hydrate")]
const NOSTR_KEY_STORAGE: &str = "spasm-forum.nostr-pubkey";
/// Where the visitor's choice of keys ([`SignWith`]) is remembered.
#[cfg(feature = "hydrate")]
const SIGN_WITH_STORAGE: &str = "spasm-forum.sign-with";
/// Set while the visitor has disconnected the Ethereum wallet from this forum: a wallet that
/// still shares an account with the site is then not connected again on the next page.
#[cfg(feature = "hydrate")]
const WALLET_DISCONNECTED_STORAGE: &str = "spasm-forum.wallet-disconnected";

/// Provides a request's signing state to the page rendered for it (on the server, where it
/// never changes: every island renders as a visitor with nothing connected).
pub fn provide_signing() {
    provide_context(Signing::new());
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The page's one signing state in the browser. Islands are hydrated each on its own,
    /// without the contexts of the server-rendered page around them, so they all read this
    /// instead: the header's account and a reaction button agree. Its owner is kept with it,
    /// so that the signals live as long as the page rather than as long as the first island
    /// that asked.
    static PAGE_SIGNING: (Owner, Signing) = {
        let owner = Owner::new_root(None);
        let signing = owner.with(Signing::new);
        (owner, signing)
    };
}

/// Makes the page's signing state live, once, after every island is hydrated: islands
/// hydrate against the server's HTML, which shows a visitor with nothing connected and no
/// working buttons, so the state may change only afterwards. Then it remembers the Nostr
/// key of an earlier visit and reconnects a wallet that already shares an account with
/// this site.
#[cfg(feature = "hydrate")]
pub fn start_page_signing() {
    let signing = use_signing();
    signing.interactive.set(true);
    let remembered =
        |key: &str| local_storage().and_then(|storage| storage.get_item(key).ok().flatten());
    if let Some(key) = remembered(NOSTR_KEY_STORAGE) {
        signing.nostr.set(Some(key));
    }
    // The keys the visitor chose before; on a first visit, the kind this browser has (a
    // visitor with only a Nostr extension signs with it, not with a wallet that is not there).
    let has_wallet = !crate::browser::ethereum::discover_wallets().is_empty();
    let has_nostr = crate::browser::nostr::has_extension();
    signing.has_both.set(has_wallet && has_nostr);
    match remembered(SIGN_WITH_STORAGE)
        .as_deref()
        .and_then(SignWith::from_name)
    {
        Some(mode) => signing.mode.set(mode),
        None if has_nostr && !has_wallet => signing.mode.set(SignWith::Nostr),
        None => {}
    }
    if remembered(WALLET_DISCONNECTED_STORAGE).is_some() {
        return;
    }
    // A wallet that already shares an account with this site stays connected across
    // reloads, without opening it.
    leptos::task::spawn_local(async move {
        use crate::browser::ethereum::{discover_wallets, existing_account};
        for wallet in discover_wallets() {
            if let Some(account) = existing_account(&wallet.id).await {
                follow_wallet(signing, wallet.clone());
                signing.wallet.set(Some((wallet, account)));
                break;
            }
        }
    });
}

/// Keeps the page's account the one the person chose in `wallet`: another account there is
/// the page's at once (header, moderation, the next signature); a disconnect there leaves
/// the page with nothing connected and a word why, beside the button that connects again.
#[cfg(feature = "hydrate")]
fn follow_wallet(signing: Signing, wallet: WalletInfo) {
    let id = wallet.id.clone();
    signing.chosen_wallet.set(Some(id.clone()));
    crate::browser::ethereum::watch_accounts(&id, move |account| {
        // A wallet the person has left since speaks no more for the page.
        if signing
            .chosen_wallet
            .with_untracked(|chosen| chosen.as_deref() != Some(wallet.id.as_str()))
        {
            return;
        }
        match account {
            Some(account) => {
                signing.header_notice.set(Notice::Empty);
                signing.wallet.set(Some((wallet.clone(), account)));
            }
            None => {
                signing.wallet.set(None);
                signing.header_notice.set(Notice::Progress(format!(
                    "{} disconnected this site. Connect again to sign.",
                    wallet.name
                )));
            }
        }
    });
}

#[cfg(feature = "hydrate")]
fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|window| window.local_storage().ok().flatten())
}

/// The signing state of the page: in the browser the page's one state, shared by every
/// island; on the server the request's.
pub fn use_signing() -> Signing {
    #[cfg(feature = "hydrate")]
    {
        PAGE_SIGNING.with(|(_, signing)| *signing)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use_context::<Signing>().unwrap_or_else(Signing::new)
    }
}

/// The header's identities: the connected Ethereum account and Nostr key, each with a way to
/// disconnect it; a button to connect what the chosen keys need; the choice of keys where
/// the browser has both kinds; and, for the instance's admins (`data-admins` on the header,
/// written by the server), a link to the admin page. Every part is in the server's HTML and
/// shown or hidden, rather than made in the browser: every page's bundle carries this island.
#[island]
pub fn ConnectButton() -> impl IntoView {
    let signing = use_signing();
    let notice = signing.header_notice;
    let admins = page_admins();
    let account = move || {
        signing.wallet.with(|wallet| {
            wallet
                .as_ref()
                .map(|(_, account)| account.to_ascii_lowercase())
        })
    };
    let npub = move || {
        signing
            .nostr
            .with(|key| key.as_deref().map(spasm::nostr::nip19::to_npub_lenient))
    };
    let on_connect_nostr = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if let Err(message) = connect_nostr(signing, notice).await {
                notice.set(Notice::Error(message));
            }
        });
    };
    // Which parts show, as one attribute the stylesheet reads (`data-show~="…"`): one
    // reactive attribute instead of one per part keeps every page's bundle small.
    let shown_parts = move || {
        let mode = signing.mode.get();
        let account = account();
        let nostr_connected = signing.nostr.with(Option::is_some);
        let parts = [
            (account.is_some(), "ethereum"),
            (signing.is_one_of(&admins), "admin"),
            (nostr_connected, "nostr"),
            (mode.uses_ethereum() && account.is_none(), "connect-wallet"),
            (mode.uses_nostr() && !nostr_connected, "connect-nostr"),
            (signing.has_both.get(), "choice"),
        ];
        parts
            .into_iter()
            .filter_map(|(shown, part)| shown.then_some(part))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let waiting = move || !signing.interactive.get();
    view! {
        <div class="connect" data-show=shown_parts>
            <span class="connected-account" data-part="ethereum">
                <span class="visually-hidden">"Ethereum account: "</span>
                <img class="identicon" src=move || account().map(|account| crate::identity::identicon_path(&account)) alt="" width="16" height="16" />
                <code data-testid="header-account">{move || account().map(|account| shorten(&account))}</code>
                <button type="button" class="link-button" aria-label="Disconnect the Ethereum wallet" on:click=move |_| signing.disconnect_wallet()>"Disconnect"</button>
            </span>
            <a class="admin-link" href="/admin" data-part="admin">"Admin"</a>
            <span class="connected-account" data-part="nostr">
                <span class="visually-hidden">"Nostr key: "</span>
                <code data-testid="header-nostr">{move || npub().map(|npub| shorten(&npub))}</code>
                <button type="button" class="link-button" aria-label="Disconnect the Nostr key" on:click=move |_| signing.disconnect_nostr()>"Disconnect"</button>
            </span>
            <button type="button" class="button" data-part="connect-wallet" disabled=waiting
                on:click=move |_| connect_wallet_in_background(signing, None, notice)>"Connect wallet"</button>
            <button type="button" class="button" data-part="connect-nostr" disabled=waiting
                on:click=on_connect_nostr>"Connect Nostr"</button>
            <span data-part="choice">
                <label class="visually-hidden" for="header-sign-with">"Sign with"</label>
                <select id="header-sign-with" class="sign-with-select" prop:value=move || signing.mode.get().name()
                    on:change=move |event| {
                        if let Some(mode) = SignWith::from_name(&event_target_value(&event)) {
                            signing.choose(mode);
                        }
                    }>
                    <option value="ethereum">"Ethereum wallet"</option>
                    <option value="nostr">"Nostr extension"</option>
                    <option value="both">"Both (two signatures)"</option>
                </select>
            </span>
            <super::LiveNotice notice />
        </div>
    }
}

/// The instance's admins (lower-case addresses and Nostr hex keys), as the server wrote
/// them in the page (`data-admins` on the header).
pub fn page_admins() -> Vec<String> {
    crate::browser::page_list("data-admins")
}

/// [`connect_wallet`] started from a click.
pub fn connect_wallet_in_background(
    signing: Signing,
    chosen: Option<WalletInfo>,
    notice: RwSignal<Notice>,
) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        if let Err(failure) = connect_wallet(signing, chosen, notice).await
            && let Some(message) = failure.into_words()
        {
            notice.set(Notice::Error(message));
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (signing, chosen, notice);
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The one choice of wallet the page is waiting for: where it is asked, and how the
    /// answer reaches the [`connect_wallet`] that asked.
    static PENDING_WALLET_CHOICE: std::cell::RefCell<
        Option<(RwSignal<Notice>, futures_channel::oneshot::Sender<WalletInfo>)>,
    > = const { std::cell::RefCell::new(None) };
}

/// The person chose `wallet` among those a [`Notice::ChooseWallet`] offered: the
/// [`connect_wallet`] waiting for it goes on with it.
pub fn choose_wallet(wallet: WalletInfo) {
    #[cfg(feature = "hydrate")]
    if let Some((_, answer)) = PENDING_WALLET_CHOICE.take() {
        let _ = answer.send(wallet);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = wallet;
}

/// Connects the chosen wallet, or the only one installed; with several installed and none
/// chosen, offers them in `notice`, where the person asked, and waits for the choice, so that
/// what they were doing goes on with the wallet they pick. `notice` follows each step.
///
/// Errors: no wallet or the wallet's refusal (EIP-1193 errors), in words; or
/// [`Failure::Withdrawn`] when the person asked for something else before choosing.
#[cfg(feature = "hydrate")]
async fn connect_wallet(
    signing: Signing,
    chosen: Option<WalletInfo>,
    notice: RwSignal<Notice>,
) -> Result<(WalletInfo, String), Failure> {
    use crate::browser::ethereum::{WalletError, discover_wallets, request_accounts};

    let wallet = match chosen {
        Some(wallet) => wallet,
        None => {
            let mut wallets = discover_wallets();
            match wallets.len() {
                0 => return Err(WalletError::NoWallet.to_string().into()),
                1 => wallets.remove(0),
                _ => choose_among(wallets, notice).await?,
            }
        }
    };
    notice.set(Notice::Progress(format!(
        "Waiting for {} to share your account…",
        wallet.name
    )));
    let account = request_accounts(&wallet.id)
        .await
        .map_err(|error| error.to_string())?;
    notice.set(Notice::Empty);
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(WALLET_DISCONNECTED_STORAGE);
    }
    follow_wallet(signing, wallet.clone());
    signing.wallet.set(Some((wallet.clone(), account.clone())));
    Ok((wallet, account))
}

/// Offers `wallets` in `notice` and waits for the person's choice. One choice is asked at a
/// time: asking for another before choosing withdraws this one ([`Failure::Withdrawn`]).
#[cfg(feature = "hydrate")]
async fn choose_among(
    wallets: Vec<WalletInfo>,
    notice: RwSignal<Notice>,
) -> Result<WalletInfo, Failure> {
    let (answer, chosen) = futures_channel::oneshot::channel();
    if let Some((earlier, _)) = PENDING_WALLET_CHOICE.replace(Some((notice, answer))) {
        // Its buttons go at once, so that the ones focused below are this choice's.
        earlier.set(Notice::Empty);
    }
    notice.set(Notice::ChooseWallet(wallets));
    focus_wallet_choice().await;
    chosen.await.map_err(|_| Failure::Withdrawn)
}

/// Moves focus to the first wallet offered once it is on the page, which also scrolls it
/// into view: on a phone the place that asked may be below the fold.
#[cfg(feature = "hydrate")]
async fn focus_wallet_choice() {
    use wasm_bindgen::JsCast;

    // The notice renders in a later task; a timeout runs after it.
    let rendered = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(rendered).await;
    if let Some(button) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector(".wallet-choices button")
                .ok()
                .flatten()
        })
        .and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

/// Asks the Nostr extension for its key (NIP-07 `getPublicKey`) and remembers it; `notice`
/// says what is awaited.
#[cfg(feature = "hydrate")]
pub async fn connect_nostr(signing: Signing, notice: RwSignal<Notice>) -> Result<String, String> {
    notice.set(Notice::Progress(
        "Waiting for your Nostr extension to share your key…".to_owned(),
    ));
    let pubkey = crate::browser::nostr::get_public_key()
        .await
        .map_err(|error| error.to_string())?;
    notice.set(Notice::Empty);
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(NOSTR_KEY_STORAGE, &pubkey);
    }
    signing.nostr.set(Some(pubkey.clone()));
    Ok(pubkey)
}

fn shorten(account: &str) -> String {
    if account.len() > 12 {
        format!("{}...{}", &account[..6], &account[account.len() - 4..])
    } else {
        account.to_owned()
    }
}

impl Signing {
    fn new() -> Self {
        Self {
            wallet: RwSignal::new(None),
            chosen_wallet: RwSignal::new(None),
            header_notice: RwSignal::new(Notice::Empty),
            nostr: RwSignal::new(None),
            mode: RwSignal::new(SignWith::Ethereum),
            has_both: RwSignal::new(false),
            interactive: RwSignal::new(false),
            publish_to_nostr: RwSignal::new(false),
        }
    }

    /// Signs with `mode` from now on, on this page and the next ones.
    pub fn choose(&self, mode: SignWith) {
        self.mode.set(mode);
        #[cfg(feature = "hydrate")]
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(SIGN_WITH_STORAGE, mode.name());
        }
    }

    /// Forgets the Ethereum wallet's account on this page and the next ones, until the
    /// visitor connects again (EIP-1193 has no way to end a site's connection from the site).
    pub fn disconnect_wallet(&self) {
        self.chosen_wallet.set(None);
        self.wallet.set(None);
        #[cfg(feature = "hydrate")]
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(WALLET_DISCONNECTED_STORAGE, "1");
        }
    }

    /// Forgets the Nostr key, here and on the next pages.
    pub fn disconnect_nostr(&self) {
        self.nostr.set(None);
        #[cfg(feature = "hydrate")]
        if let Some(storage) = local_storage() {
            let _ = storage.remove_item(NOSTR_KEY_STORAGE);
        }
    }

    /// Which connected keys sign for one of `keys` (admins or moderators, as the server
    /// lists them: lower-case Ethereum addresses and Nostr hex keys): the wallet's account or
    /// the Nostr key, whichever is among them, or the visitor's choice when both are; `None`
    /// when neither is. Reactive.
    pub fn mode_among(&self, keys: &[String]) -> Option<SignWith> {
        let ethereum = self.wallet.with(|wallet| {
            wallet
                .as_ref()
                .is_some_and(|(_, account)| keys.contains(&account.to_ascii_lowercase()))
        });
        let nostr = self.nostr.with(|key| {
            key.as_ref()
                .is_some_and(|key| keys.contains(&key.to_ascii_lowercase()))
        });
        match (ethereum, nostr) {
            (true, true) => Some(self.mode.get()),
            (true, false) => Some(SignWith::Ethereum),
            (false, true) => Some(SignWith::Nostr),
            (false, false) => None,
        }
    }

    /// The keys that sign what only one of `keys` may sign: [`Signing::mode_among`] them, or
    /// the visitor's own choice when no connected key is among them (then the server refuses
    /// it, in words).
    pub fn mode_for(&self, keys: &[String]) -> SignWith {
        self.mode_among(keys)
            .unwrap_or_else(|| self.mode.get_untracked())
    }

    /// Whether a connected key is one of `keys` (see [`Signing::mode_among`]). Reactive.
    pub fn is_one_of(&self, keys: &[String]) -> bool {
        self.mode_among(keys).is_some()
    }
}

/// A plain-words description of what the wallet will be asked to sign: `detail` is the
/// post's title or the reaction's name.
pub fn describe(action: Action, detail: &str) -> String {
    match action {
        Action::Post => format!("You are about to sign a new post titled “{detail}”."),
        Action::Reply => "You are about to sign a reply with the text you wrote.".to_owned(),
        Action::React => {
            let article = if detail.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!("You are about to sign {article} “{detail}” reaction.")
        }
        Action::Moderate if detail == "restore" => {
            "You are about to sign an admin's restore of this event and the replies below it."
                .to_owned()
        }
        Action::Moderate => {
            "You are about to sign a moderator's deletion of this event.".to_owned()
        }
        Action::AppConfig => "You are about to sign new settings for this instance.".to_owned(),
        Action::Admin | Action::Other => {
            format!("You are about to sign a {} event.", action.name())
        }
    }
}

/// `value` as the raw JSON an [`Unsigned`] carries (a parsed value always has a text).
pub fn raw_json(value: &serde_json::Value) -> RawJson {
    serde_json::value::to_raw_value(value)
        .unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned())
}

/// [`sign_and_submit_as`] with the keys the visitor chose.
pub async fn sign_and_submit(
    signing: Signing,
    notice: RwSignal<Notice>,
    what: String,
    unsigned: Unsigned<RawJson>,
) -> Option<SubmitReply> {
    sign_and_submit_as(
        signing,
        signing.mode.get_untracked(),
        notice,
        what,
        unsigned,
    )
    .await
}

/// Connects the keys of `mode` if needed, has the signing module build `unsigned` for them
/// ([`crate::browser::signer`]), has the wallet and/or the extension sign it, and submits
/// it. `notice` tells the visitor each step and any failure, in words.
pub async fn sign_and_submit_as(
    signing: Signing,
    mode: SignWith,
    notice: RwSignal<Notice>,
    what: String,
    unsigned: Unsigned<RawJson>,
) -> Option<SubmitReply> {
    #[cfg(feature = "hydrate")]
    {
        let result = browser_sign_and_submit(signing, mode, notice, what, unsigned).await;
        match result {
            Ok(reply) => {
                notice.set(Notice::Success(reply.message.clone()));
                Some(reply)
            }
            Err(failure) => {
                if let Some(message) = failure.into_words() {
                    notice.set(Notice::Error(message));
                }
                None
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (signing, mode, notice, what, unsigned); // Signing happens in the browser only.
        None
    }
}

/// Why an attempt to sign failed.
#[cfg(feature = "hydrate")]
enum Failure {
    /// The wallet no longer shares the account with this site (EIP-1193 4100): connect again.
    Unauthorized,
    /// The person asked for something else before choosing a wallet for this: nothing was
    /// signed, and the newer request is on the page.
    Withdrawn,
    /// Anything else, in words.
    Words(String),
}

#[cfg(feature = "hydrate")]
impl Failure {
    /// What the person is told, in words; nothing when they went on to something else.
    fn into_words(self) -> Option<String> {
        match self {
            Self::Unauthorized => {
                Some(crate::browser::ethereum::WalletError::Unauthorized.to_string())
            }
            Self::Withdrawn => None,
            Self::Words(words) => Some(words),
        }
    }
}

#[cfg(feature = "hydrate")]
impl From<String> for Failure {
    fn from(words: String) -> Self {
        Self::Words(words)
    }
}

/// [`attempt_sign_and_submit`], once more after connecting again when the wallet stopped
/// sharing the account with this site without saying so: the wallet asks the person to
/// connect, and what they were doing goes on.
#[cfg(feature = "hydrate")]
async fn browser_sign_and_submit(
    signing: Signing,
    mode: SignWith,
    notice: RwSignal<Notice>,
    what: String,
    unsigned: Unsigned<RawJson>,
) -> Result<SubmitReply, Failure> {
    // One call site in a loop, not two: the attempt's state machine is compiled once.
    let mut connected_again = false;
    loop {
        match attempt_sign_and_submit(signing, mode, notice, &what, unsigned.clone()).await {
            Err(Failure::Unauthorized) if !connected_again => {
                connected_again = true;
                // The same wallet asks the person to connect again (not a choice among all).
                let refused = signing.wallet.get_untracked().map(|(wallet, _)| wallet);
                signing.wallet.set(None);
                connect_wallet(signing, refused, notice).await?;
            }
            result => return result,
        }
    }
}

#[cfg(feature = "hydrate")]
async fn attempt_sign_and_submit(
    signing: Signing,
    mode: SignWith,
    notice: RwSignal<Notice>,
    what: &str,
    unsigned: Unsigned<RawJson>,
) -> Result<SubmitReply, Failure> {
    use spasm::signing::SigningRequest;
    use wasm_bindgen::JsValue;

    use crate::browser::ethereum::{WalletError, sign_message};
    use crate::browser::nostr::sign_event_js;
    use crate::browser::signer;
    use crate::server_fns::submit_event;

    let mut ethereum = None;
    if mode.uses_ethereum() {
        ethereum = Some(match signing.wallet.get_untracked() {
            Some(connection) => connection,
            // Asked here, where the person is; the header shows the account once connected.
            None => connect_wallet(signing, None, notice).await?,
        });
    }
    let mut nostr = None;
    if mode.uses_nostr() {
        nostr = Some(match signing.nostr.get_untracked() {
            Some(pubkey) => pubkey,
            None => connect_nostr(signing, notice).await?,
        });
    }
    // What people write goes to relays; an instance's own business (moderation, settings)
    // does not.
    let written = matches!(
        unsigned.action(),
        Action::Post | Action::Reply | Action::React
    );
    let request = SigningRequest {
        unsigned,
        timestamp_ms: crate::browser::now_ms(),
        ethereum: ethereum.as_ref().map(|(_, account)| account.clone()),
        nostr,
    };
    let request = serde_json::to_string(&request).map_err(|error| error.to_string())?;
    notice.set(Notice::Progress(format!("{what} Preparing it…")));
    let (signed_string, nostr_form) = signer::prepare(&request)
        .await
        .map_err(|error| error.to_string())?;
    let mut ethereum_signature = None;
    if let Some((wallet, account)) = &ethereum {
        notice.set(Notice::Signing {
            words: format!("{what} {} is asking you to sign it…", wallet.name),
            exact: signed_string.clone(),
        });
        let signature = sign_message(&wallet.id, account, &signed_string)
            .await
            .map_err(|error| match error {
                WalletError::Unauthorized => Failure::Unauthorized,
                error => Failure::Words(error.to_string()),
            })?;
        ethereum_signature = Some(signature);
    }
    let mut nostr_event = JsValue::NULL;
    if !nostr_form.is_null() && !nostr_form.is_undefined() {
        notice.set(Notice::Signing {
            words: format!("{what} Your Nostr extension is asking you to sign it…"),
            exact: js_sys::JSON::stringify_with_replacer_and_space(
                &nostr_form,
                &JsValue::NULL,
                &JsValue::from(2),
            )
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default(),
        });
        nostr_event = sign_event_js(&nostr_form)
            .await
            .map_err(|error| error.to_string())?;
    }
    let submission = signer::finish(&request, ethereum_signature, nostr_event)
        .await
        .map_err(|error| error.to_string())?;
    notice.set(Notice::Progress("Sending it to the forum…".to_owned()));
    let publish = mode.uses_nostr() && signing.publish_to_nostr.get_untracked() && written;
    submit_event(submission, publish)
        .await
        .map_err(|error| Failure::Words(format!("The forum refused it. {error}")))
}

/// Why the signing controls below cannot be used yet: without JavaScript, that signing
/// needs it; while the page's code loads, that it is getting ready; when that code could not
/// load, what to do; nothing once the page can sign. The stylesheet shows the one that
/// applies from `data-js` on `<html>`, which the islands script sets (see
/// [`crate::browser::islands`]). Rendered outside islands, so no browser bundle carries it.
#[component]
pub fn NeedsJavaScript() -> impl IntoView {
    view! {
        <p class="hint js-required">
            <span class="without-js">"Signing needs JavaScript and a wallet or Nostr extension, such as MetaMask, Rabby, Alby or nos2x."</span>
            <span class="js-loading">"Getting ready to sign…"</span>
            <span class="js-failed">"This page's code could not be loaded, so nothing can be signed here. Check your connection and reload the page."</span>
        </p>
    }
}
