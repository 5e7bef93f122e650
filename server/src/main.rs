use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use domain::Keyward;
use server::cli::{Cli, Command, LogFormat};
use server::commands::{self, Failure};
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
    let command = cli.command.unwrap_or(Command::Serve(cli.serve));
    let partners = match &command {
        Command::Serve(args) => args.scanning_partners().map_err(Failure::Config)?,
        _ => Default::default(),
    };
    let timeout = std::time::Duration::from_millis(cli.database_timeout_ms);
    let db = domain::connect_waiting(&cli.database_url, timeout).await.map_err(Failure::Database)?;
    domain::migrate(&db).await.map_err(Failure::Migration)?;
    let settings = match &command {
        Command::Serve(args) => args.settings(),
        _ => domain::Settings::default(),
    };
    let keyward = Keyward::new(db, settings);
    match command {
        Command::Serve(args) => serve::run(keyward, &args, partners).await,
        Command::Migrate => {
            println!("The database schema is up to date.");
            Ok(())
        }
        Command::Region { command } => commands::region(&keyward, command).await,
        Command::Key { command } => commands::key(&keyward, command).await,
        Command::Admin { command } => commands::admin(&keyward, command).await,
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
