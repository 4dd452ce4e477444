//! The Spasm forum server: configuration, the HTTP surface (pages, server functions, the
//! Spasm API) over the [`forum`] service.

pub mod api;
pub mod backup;
pub mod check;
pub mod client_ip;
pub mod config;
pub mod feeds;
pub mod http;
pub mod identicons;
pub mod import;
pub mod metrics;
pub mod mutes;
pub mod page_cache;
pub mod security_headers;
pub mod site_assets;

use std::sync::Arc;

use axum::serve::ListenerExt;
use forum::Forum;
use forum::storage::{self, Store};
use tokio::net::TcpListener;

use crate::client_ip::TrustedProxies;
use crate::config::{Config, redact_url};
use crate::http::{AppState, operations_router, router};
use forum::jobs::exclusive::{ExclusiveHandle, StopHow, run_exclusively};
use forum::storage::JobGroup;

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
    let indexed = forum::upgrade::index_stored_for_search(store.as_ref()).await?;
    store
        .mark_upgrade_done(forum::upgrade::SEARCH_WORDS, forum::service::now_ms())
        .await?;
    println!("search: {indexed} stored posts and replies indexed now");
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

/// Opens the database, binds the listener and serves until Ctrl-C or SIGTERM, in the
/// configured role: pages and API (`web`), background jobs (`jobs`, each job group in one
/// process at a time: `forum::jobs::exclusive`), or both (`all`).
///
/// Shutdown is graceful: the listener stops accepting, requests in flight (and the writes
/// they wait for) finish within `shutdown_grace_seconds`, then the jobs stop.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    // Before anything records a metric: what is recorded before the recorder is installed
    // is lost (the job lock gauge is set once, when the lock is taken).
    let _ = crate::metrics::handle();
    let store = open_store(&config).await?;
    let forum = Forum::new(
        store.clone(),
        config.settings.clone(),
        config.limits.forum_limits(),
    )
    .await?;
    forum.set_host_sources(config.federation.sources.clone());
    forum.set_federation_enabled(config.federation.enabled);
    // The relays the instance publishes to and reads from; authors' own relays are added
    // while events wait for them.
    forum.set_host_relays(config.nostr.relays.clone());
    // Settings, sources and relays changed through another process sharing the database.
    let following = forum.follow_changes();
    let role = config.role;
    tracing::info!(?role, "starting");
    if role.serves_web() && !site_assets::has_browser_bundle() {
        tracing::warn!(
            "this binary has no browser bundle: pages work without JavaScript only; build with `cargo xtask build`"
        );
    }
    let background = if role.runs_jobs() {
        if !config.federation.enabled {
            tracing::info!("federation is off (ENABLE_SPASM_MODULE=false): no sources are pulled");
        }
        Some(start_background_jobs(&config, &forum, &store)?)
    } else {
        None
    };
    let state = AppState::new(forum, config.limits.clone())
        .with_feed_channel(config.feed_channel.clone())
        .with_site_address(config.site_address.clone())
        .with_trusted_proxies(TrustedProxies::new(config.http.trusted_proxies.clone()))
        .with_https(config.http.https);
    let state = if config.http.metrics_listen.is_some() {
        state.without_metrics()
    } else {
        state
    };
    let app = if role.serves_web() {
        router(state.clone())
    } else {
        operations_router(state.clone())
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut servers = tokio::task::JoinSet::new();
    let listener = bind(config.listen).await?;
    let address = listener.local_addr()?;
    // Printed on stdout so scripts and tests that asked for port 0 learn the real one.
    println!("listening on http://{address}");
    tracing::info!(%address, "listening");
    servers.spawn(serve_until(listener, app, stopped.clone()));
    if let Some(metrics_address) = config.http.metrics_listen {
        let listener = bind(metrics_address).await?;
        let address = listener.local_addr()?;
        println!("metrics on http://{address}/metrics");
        servers.spawn(serve_until(listener, operations_router(state), stopped));
    }
    shutdown_signal().await;
    let _ = stop.send(true);
    let grace = std::time::Duration::from_secs(config.http.shutdown_grace_seconds);
    let finished = tokio::time::timeout(grace, async {
        while let Some(served) = servers.join_next().await {
            match served {
                Ok(Err(error)) => tracing::error!(%error, "a listener failed"),
                Err(error) => tracing::error!(%error, "a listener ended badly"),
                Ok(Ok(())) => {}
            }
        }
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            grace_seconds = grace.as_secs(),
            "requests were still running at the end of the grace period; they are cut off"
        );
    }
    if let Some(background) = background {
        background.stop().await;
    }
    following.stop().await;
    tracing::info!("stopped");
    Ok(())
}

/// The background work of a jobs process: the upgrades of stored data (rc.52 ids, the search
/// index), the scheduled jobs and the Nostr relay connections, each group run by one process
/// at a time.
fn start_background_jobs(
    config: &Config,
    forum: &Forum,
    store: &Arc<dyn Store>,
) -> anyhow::Result<BackgroundJobs> {
    // Upgrades of stored data run beside serving: until they finish, an event stored under
    // an older id is found by that id only. Idempotent: several processes may run it.
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
        // Until it finishes, events stored before search existed are not found by it.
        match forum::upgrade::index_pending_for_search(upgrading.as_ref(), forum::service::now_ms())
            .await
        {
            Ok(Some(indexed)) => {
                tracing::info!(indexed, "stored posts and replies were indexed for search")
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "indexing stored events for search failed; it runs again at the next start")
            }
        }
    });
    let client = outgoing::OutgoingClient::new(config.federation.outgoing.clone())?;
    let scheduled = {
        let (forum, client) = (forum.clone(), client.clone());
        run_exclusively(store.clone(), JobGroup::Scheduled, move || {
            let jobs = forum::jobs::Jobs::new(
                forum.clone(),
                client.clone(),
                forum::jobs::JobsConfig::default(),
            )
            .start();
            Box::new(move |how| match how {
                StopHow::Graceful => Box::pin(jobs.stop()),
                StopHow::AtOnce => {
                    jobs.abort();
                    Box::pin(std::future::ready(()))
                }
            })
        })
    };
    let relays = {
        let forum = forum.clone();
        run_exclusively(store.clone(), JobGroup::NostrRelays, move || {
            let relays = forum::nostr::NostrRelays::new(
                forum.clone(),
                client.clone(),
                forum::nostr::NostrLimits::default(),
            )
            .start();
            // Closing the connections is quick either way; waiting `OK`s are sent again.
            Box::new(move |_| Box::pin(relays.stop()))
        })
    };
    Ok(BackgroundJobs { scheduled, relays })
}

struct BackgroundJobs {
    scheduled: ExclusiveHandle,
    relays: ExclusiveHandle,
}

impl BackgroundJobs {
    async fn stop(self) {
        self.relays.stop().await;
        self.scheduled.stop().await;
    }
}

async fn bind(address: std::net::SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {address}: {error}"))
}

/// Serves `app` on `listener` until `stopped` turns true, then finishes the requests in
/// flight.
async fn serve_until(
    listener: TcpListener,
    app: axum::Router,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    // Pages stream out in several writes: without TCP_NODELAY, Nagle's algorithm holds the
    // last one back until the client's delayed ACK, 40 ms on Linux, on every page.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    })
    .await
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
