//! `spasm-forum`: starts the forum. See `spasm-forum --help`.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use server::config::{Cli, Command, Config, LogFormat};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_format = cli.log_format;
    let command = cli.into_command();
    // Commands that print a report log only what goes wrong, unless RUST_LOG asks for more.
    let default_level = match command {
        Command::Import(_) | Command::Check(_) | Command::Backup(_) | Command::Restore(_) => "warn",
        _ => "info",
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let config = match Config::load(command.options(), |name| std::env::var(name).ok()) {
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
        Command::Import(args) => server::import::run(config, &args).await,
        Command::Backup(args) => server::backup::backup(&config, &args.file).await,
        Command::Restore(args) => server::backup::restore(&config, &args.file).await,
        Command::Check(args) => match server::check::run(config, args.scope()).await {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(error) => Err(error),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "spasm-forum: {error:#}");
            ExitCode::FAILURE
        }
    }
}
