//! Instance configuration: command-line flags and environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The Spasm forum: one binary with the site, the storage and the Spasm HTTP API.
#[derive(Debug, Parser)]
#[command(name = "spasm-forum", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings for `serve` when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeConfig,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the forum (the default).
    Serve(ServeConfig),
}

/// Settings of a running instance.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address and port to listen on. Port 0 picks a free port; the chosen address is
    /// printed as `listening on http://ADDRESS`.
    #[arg(long, env = "SPASM_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Directory for the SQLite database and other instance data; created if missing.
    #[arg(long, env = "SPASM_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (`postgres://…`). When unset, SQLite in the data directory is used.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

impl Cli {
    /// The configuration of the `serve` command, whether or not it was named.
    pub fn into_serve_config(self) -> ServeConfig {
        match self.command {
            Some(Command::Serve(config)) => config,
            None => self.serve,
        }
    }
}

/// A database URL with any password replaced by `***`, for logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".to_string();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => format!("{scheme}://{credentials}@{host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://forum:s3cret@db:5432/forum"),
            "postgres://forum:***@db:5432/forum"
        );
        assert_eq!(
            redact_url("postgres://forum@db/forum"),
            "postgres://forum@db/forum"
        );
        assert_eq!(redact_url("postgres://db/forum"), "postgres://db/forum");
        assert_eq!(redact_url("garbage"), "***");
    }

    #[test]
    fn serve_is_the_default_command() {
        let cli = Cli::parse_from(["spasm-forum", "--listen", "127.0.0.1:0"]);
        assert_eq!(cli.into_serve_config().listen.port(), 0);
        let cli = Cli::parse_from(["spasm-forum", "serve", "--data-dir", "/tmp/x"]);
        assert_eq!(cli.into_serve_config().data_dir, PathBuf::from("/tmp/x"));
    }
}
