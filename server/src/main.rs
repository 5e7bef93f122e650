use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use domain::KeyService;
use server::cli::{self, Failure};
use server::config::{Cli, Command, LogFormat};
use server::serve;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // A missing .env is normal; a broken one is reported by clap's checks.
    dotenvy::dotenv().ok();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            let message = error.to_string();
            let first_line = message.lines().next().unwrap_or_default().trim_start_matches("error: ");
            eprintln!("keyward: {first_line} (see keyward --help)");
            return ExitCode::from(2);
        }
    };
    // Operator commands print results; only problems belong next to them.
    let default_level = if matches!(cli.command, None | Some(Command::Serve(_))) { "info" } else { "warn" };
    init_logging(cli.log_format, default_level);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("keyward: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("keyward: {failure}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let db = domain::db::connect(&cli.database_url).await.map_err(Failure::Database)?;
    domain::db::migrate(&db).await.map_err(Failure::Migration)?;
    let command = cli.command.unwrap_or(Command::Serve(cli.serve));
    let keys = match &command {
        Command::Serve(args) => KeyService::new(db, args.throttle_limits()).with_session_limits(args.session_limits()),
        _ => KeyService::new(db, domain::ThrottleLimits::default()),
    };
    match command {
        Command::Serve(args) => serve::run(keys, &args).await,
        Command::Migrate => {
            println!("The database schema is up to date.");
            Ok(())
        }
        Command::Region { command } => cli::region(&keys, command).await,
    }
}

fn init_logging(format: LogFormat, default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
}
