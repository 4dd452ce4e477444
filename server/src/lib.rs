//! The Spasm forum server: configuration, storage, HTTP surface.

pub mod config;
pub mod http;
pub mod site_assets;
pub mod storage;

use tokio::net::TcpListener;

use crate::config::{ServeConfig, redact_url};
use crate::http::{AppState, leptos_options, router};
use crate::storage::Database;

/// Opens the database, binds the listener and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    match &config.database_url {
        Some(url) => tracing::info!(database = %redact_url(url), "using PostgreSQL"),
        None => tracing::info!(data_dir = %config.data_dir.display(), "using SQLite"),
    }
    let database = Database::open(config.database_url.as_deref(), &config.data_dir).await?;
    if !site_assets::has_browser_bundle() {
        tracing::warn!(
            "this binary has no browser bundle: pages work without JavaScript only; build with `cargo xtask build`"
        );
    }
    let listener = TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    let app = router(AppState {
        leptos_options: leptos_options(),
        database,
    });
    // Printed on stdout so scripts and tests that asked for port 0 learn the real one.
    println!("listening on http://{address}");
    tracing::info!(%address, "listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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
