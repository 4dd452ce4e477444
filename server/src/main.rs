//! `spasm-forum`: starts the forum. See `spasm-forum --help`.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use server::config::{Cli, Command, Config, LogFormat};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let command = cli.into_command();
    let options = match &command {
        Command::Serve(options) | Command::Migrate(options) | Command::CheckConfig(options) => {
            options
        }
    };
    let config = match Config::load(options, |name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "spasm-forum: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match command {
        Command::Serve(_) => server::serve(config).await,
        Command::Migrate(_) => server::migrate(config).await,
        Command::CheckConfig(_) => {
            print!("{}", config.describe());
            println!("the configuration is valid");
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "spasm-forum: {error:#}");
            ExitCode::FAILURE
        }
    }
}
