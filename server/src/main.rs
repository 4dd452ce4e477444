//! `spasm-forum`: starts the forum. See `spasm-forum --help`.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use server::config::Cli;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = Cli::parse().into_serve_config();
    match server::serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "spasm-forum: {error:#}");
            ExitCode::FAILURE
        }
    }
}
