//! The Spasm forum server: configuration, the HTTP surface (pages, server functions, the
//! Spasm API) over the [`forum`] service.

pub mod api;
pub mod check;
pub mod config;
pub mod feeds;
pub mod http;
pub mod identicons;
pub mod import;
pub mod site_assets;

use std::sync::Arc;

use axum::serve::ListenerExt;
use forum::Forum;
use forum::storage::{self, Store};
use tokio::net::TcpListener;

use crate::config::{Config, redact_url};
use crate::http::{AppState, router};

/// Opens (and migrates) the database the configuration names.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    match &config.database_url {
        Some(url) => tracing::info!(database = %redact_url(url), "using PostgreSQL"),
        None => tracing::info!(data_dir = %config.data_dir.display(), "using SQLite"),
    }
    Ok(storage::open_with_limits(
        config.database_url.as_deref(),
        &config.data_dir,
        config.limits.write_limits(),
    )
    .await?)
}

/// `spasm-forum migrate`: brings the schema up to date.
pub async fn migrate(config: Config) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    println!("the database schema is up to date");
    let report = forum::upgrade::add_current_ids(store.as_ref()).await?;
    store
        .mark_upgrade_done(forum::upgrade::RC52_IDS, forum::service::now_ms())
        .await?;
    println!(
        "spasm.js rc.52 ids: {} stored events read, {} have another id under rc.52 ({} of them \
         recorded by an earlier run, {} recorded now, {} left: the id belongs to another stored \
         copy of the same event), {} could not be read again (see the log)",
        report.scanned,
        report.changed,
        report.recorded_before,
        report.added,
        report.taken,
        report.unreadable
    );
    Ok(())
}

/// Opens the database, binds the listener and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    // Upgrades of stored data run beside serving: until they finish, an event stored under
    // an older id is found by that id only.
    let upgrading = store.clone();
    tokio::spawn(async move {
        match forum::upgrade::run_pending(upgrading.as_ref(), forum::service::now_ms()).await {
            Ok(Some(report)) => tracing::info!(
                read = report.scanned,
                with_another_id = report.changed,
                recorded = report.added,
                left_to_another_copy = report.taken,
                unreadable = report.unreadable,
                "the rc.52 id upgrade of stored events finished"
            ),
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "the upgrade of stored ids failed; it runs again at the next start")
            }
        }
    });
    let forum = Forum::new(store, config.settings.clone(), config.limits.forum_limits()).await?;
    if !site_assets::has_browser_bundle() {
        tracing::warn!(
            "this binary has no browser bundle: pages work without JavaScript only; build with `cargo xtask build`"
        );
    }
    let listener = TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    // Pages stream out in several writes: without TCP_NODELAY, Nagle's algorithm holds the
    // last one back until the client's delayed ACK, 40 ms on Linux, on every page.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
        }
    });
    forum.set_host_sources(config.federation.sources.clone());
    forum.set_federation_enabled(config.federation.enabled);
    if !config.federation.enabled {
        tracing::info!("federation is off (ENABLE_SPASM_MODULE=false): no sources are pulled");
    }
    // Housekeeping runs whether or not sources are pulled.
    let client = outgoing::OutgoingClient::new(config.federation.outgoing.clone())?;
    let jobs = forum::jobs::Jobs::new(
        forum.clone(),
        client.clone(),
        forum::jobs::JobsConfig::default(),
    )
    .start();
    // The relays the instance publishes to and reads from; authors' own relays are added
    // while events wait for them.
    forum.set_host_relays(config.nostr.relays.clone());
    let relays =
        forum::nostr::NostrRelays::new(forum.clone(), client, forum::nostr::NostrLimits::default())
            .start();
    let app = router(
        AppState::new(forum, config.limits.clone()).with_feed_channel(config.feed_channel.clone()),
    );
    // Printed on stdout so scripts and tests that asked for port 0 learn the real one.
    println!("listening on http://{address}");
    tracing::info!(%address, "listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    relays.stop().await;
    jobs.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
