//! The command line: subcommands and typed configuration, each flag with an
//! environment variable (`.env` files are read too).

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use axum::http::HeaderName;
use chrono::TimeDelta;
use clap::{Args, Parser, Subcommand, ValueEnum};
use domain::model::{Description, Email, InvalidInput, RegionName, Scope};

use crate::leaks::{PartnerKeys, ScanningPartners};
use crate::oidc::{CALLBACK_PATH, ConsoleSignIn, Oidc, OidcSettings, SignInWays};

/// The embedded default: a SQLite file under `./data/`, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/keyward.db?mode=rwc";

#[derive(Debug, Parser)]
#[command(name = "keyward", version, about = "Self-hosted API key manager", args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// `sqlite://path?mode=rwc` or `postgres://user:password@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,

    /// How long a request waits for a database connection before it is
    /// answered 503 (the database is unavailable), in milliseconds.
    #[arg(long, env = "KEYWARD_DATABASE_TIMEOUT_MS", default_value_t = 500, global = true, value_parser = clap::value_parser!(u64).range(50..=60_000))]
    pub database_timeout_ms: u64,

    /// How logs are written (to stderr).
    #[arg(long, env = "KEYWARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// `keyward` alone serves.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

// Parsed once per run: the size of `Serve`'s settings costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the REST API and the console (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage regions.
    Region {
        #[command(subcommand)]
        command: RegionCommand,
    },
    /// Issue keys as the operator.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Grant people a region's console (they sign in with the identity provider).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Let the person with this (verified) email into a region's console.
    Grant {
        /// The region's id or name.
        #[arg(long)]
        region: String,
        #[arg(long, value_parser = parse_email)]
        email: Email,
        /// `keys:read` or `keys:write`.
        #[arg(long, num_args = 1.., value_parser = parse_scope, default_value = "keys:read")]
        scopes: Vec<Scope>,
        #[arg(long)]
        json: bool,
    },
    /// Take a person's grant away; their sessions in the region end.
    Revoke {
        #[arg(long)]
        region: String,
        #[arg(long, value_parser = parse_email)]
        email: Email,
    },
    /// List grants, of every region or of one.
    List {
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Issue a key in a region and print it (shown once): for instance the
    /// way back in when every key that could manage the region was
    /// quarantined.
    Create {
        /// The region's id or name.
        #[arg(long)]
        region: String,
        /// The key's scopes (default `*`, everything), e.g. `--scopes keys:write`.
        #[arg(long, num_args = 1.., value_parser = parse_scope)]
        scopes: Option<Vec<Scope>>,
        #[arg(long, value_parser = parse_description)]
        description: Option<Description>,
        /// Print the key with its token as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegionCommand {
    /// Create a region and print its first API key (shown once).
    Create {
        /// The region's unique name.
        #[arg(long, value_parser = parse_region_name)]
        name: RegionName,
        /// A sandbox region: its keys start with `kw_test_`.
        #[arg(long)]
        sandbox: bool,
        /// The first key's description.
        #[arg(long, value_parser = parse_description)]
        description: Option<Description>,
        /// Print `{"region": {...}, "api_key": {..., "token": "..."}}`.
        #[arg(long)]
        json: bool,
    },
    /// List regions with their number of keys.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KEYWARD_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// Serve `GET /metrics` (Prometheus text format). Expose it to your
    /// monitoring only, not to the internet.
    #[arg(long, env = "KEYWARD_METRICS")]
    pub metrics: bool,

    /// On an empty database, do not create a first region and key.
    #[arg(long, env = "KEYWARD_NO_BOOTSTRAP")]
    pub no_bootstrap: bool,

    /// How often usage (request counts, `last_used_at`, last client) is
    /// written, in milliseconds.
    #[arg(long, env = "KEYWARD_USAGE_FLUSH_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..))]
    pub usage_flush_ms: u64,

    /// Wrong secrets (each cost argon2) per key within a minute before 429.
    #[arg(long, env = "KEYWARD_AUTH_FAILURES_PER_KEY", default_value_t = 10)]
    pub auth_failures_per_key: u32,

    /// Wrong secrets for a real key (each cost argon2) per client address
    /// within a minute before 429 for a key not yet verified by this
    /// process. Tokens that name no key cost no argon2 and do not count.
    #[arg(long, env = "KEYWARD_AUTH_FAILURES_PER_ADDRESS", default_value_t = 30)]
    pub auth_failures_per_address: u32,

    /// IPv6 clients are throttled per network of this prefix length (a
    /// client can use any address of its /64).
    #[arg(long, env = "KEYWARD_AUTH_IPV6_PREFIX", default_value_t = 64, value_parser = clap::value_parser!(u8).range(1..=128))]
    pub auth_ipv6_prefix: u8,

    /// The built console (`trunk build --release --offline` writes `dist`).
    /// Without a build there, only the API is served.
    #[arg(long, env = "KEYWARD_CONSOLE_DIR", default_value = "dist")]
    pub console_dir: PathBuf,

    /// Do not serve the API reference at `/docs/api` (for deployments that
    /// do not want their API described to the public; `/openapi.json` stays).
    #[arg(long, env = "KEYWARD_NO_API_REFERENCE")]
    pub no_api_reference: bool,

    /// Mark the console's session cookie `Secure`. Turn on whenever the
    /// console is reached over HTTPS, also through a TLS-terminating proxy.
    #[arg(long, env = "KEYWARD_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Behind a reverse proxy: the header in which it names the client
    /// (e.g. `x-forwarded-for`), so failures are throttled per real client.
    /// Set it only when every request comes through a proxy that sets it.
    #[arg(long, env = "KEYWARD_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<HeaderName>,

    /// A console session nobody used for this many minutes ends.
    #[arg(long, env = "KEYWARD_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(5..=1440))]
    pub session_idle_minutes: u32,

    /// Read every key from the database instead of answering warm keys from
    /// the coherent cache (to compare; revocation is immediate either way).
    #[arg(long, env = "KEYWARD_NO_WARM_CACHE")]
    pub no_warm_cache: bool,

    /// Count no requests and keep no client address, user agent or request
    /// path of a key's last use; only `last_used_at`. For deployments that
    /// must not keep them (they may be personal data).
    #[arg(long, env = "KEYWARD_NO_USAGE_INSIGHT")]
    pub no_usage_insight: bool,

    /// A client must send a request's headers within this many seconds; a
    /// connection with no request in progress (an idle HTTP/1 keep-alive or
    /// HTTP/2 connection) is closed after as long.
    #[arg(long, env = "KEYWARD_HEADER_READ_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout_secs: u64,

    /// At most this many connections are served at once; more wait.
    #[arg(long, env = "KEYWARD_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// At most this many of those connections come from one client (an IPv4
    /// address, or an IPv6 network of `--auth-ipv6-prefix` bits, as the TCP
    /// peer); more are closed at once. Default: a quarter of
    /// `--max-connections`; all of it with `--client-ip-header`, where every
    /// connection comes from the proxy.
    #[arg(long, env = "KEYWARD_MAX_CONNECTIONS_PER_CLIENT", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections_per_client: Option<u64>,

    /// On shutdown, connections still open after this many seconds are closed.
    #[arg(long, env = "KEYWARD_SHUTDOWN_GRACE_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_grace_secs: u64,

    /// Every console session ends this many hours after its sign-in.
    #[arg(long, env = "KEYWARD_SESSION_MAX_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_max_hours: u32,

    /// The most API keys one region may hold (the operator's CLI may exceed it).
    #[arg(long, env = "KEYWARD_MAX_KEYS_PER_REGION", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_keys_per_region: u64,

    /// New keys (created, or rotations started) one region may make per minute.
    #[arg(long, env = "KEYWARD_NEW_KEYS_PER_MINUTE", default_value_t = NonZeroU32::new(60).expect("not zero"))]
    pub new_keys_per_minute: NonZeroU32,

    /// GitHub's secret scanning public keys (a JSON file in GitHub's format,
    /// read at start, never fetched); turns on `POST /auth/leaks/github`.
    #[arg(long, env = "KEYWARD_GITHUB_SCANNING_KEYS", value_name = "FILE")]
    pub github_scanning_keys: Option<PathBuf>,

    /// GitLab's secret detection public keys, in the same format; turns on
    /// `POST /auth/leaks/gitlab`.
    #[arg(long, env = "KEYWARD_GITLAB_SCANNING_KEYS", value_name = "FILE")]
    pub gitlab_scanning_keys: Option<PathBuf>,

    /// Allow webhook endpoints with `http://` URLs (by default `https://` only).
    #[arg(long, env = "KEYWARD_WEBHOOKS_ALLOW_HTTP")]
    pub webhooks_allow_http: bool,

    /// Allow webhook endpoints on loopback, private and link-local addresses
    /// (by default public addresses only, checked at every connection).
    #[arg(long, env = "KEYWARD_WEBHOOKS_ALLOW_PRIVATE")]
    pub webhooks_allow_private: bool,

    /// The console's external address, e.g. `https://keys.example.org`: the
    /// identity provider sends people back to `PUBLIC_URL/auth/oidc/callback`.
    #[arg(long, env = "KEYWARD_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// The OpenID Connect issuer people sign in with, e.g.
    /// `https://login.microsoftonline.com/<tenant>/v2.0`; discovered from
    /// `ISSUER/.well-known/openid-configuration`.
    #[arg(long, env = "KEYWARD_OIDC_ISSUER", value_name = "URL")]
    pub oidc_issuer: Option<String>,

    /// Keyward's client id at the issuer.
    #[arg(long, env = "KEYWARD_OIDC_CLIENT_ID", value_name = "ID")]
    pub oidc_client_id: Option<String>,

    /// A file holding Keyward's client secret at the issuer (never the
    /// secret itself on the command line).
    #[arg(long, env = "KEYWARD_OIDC_CLIENT_SECRET_FILE", value_name = "FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,

    /// The name on the console's button, "Sign in with <name>" (default:
    /// the issuer's host).
    #[arg(long, env = "KEYWARD_OIDC_PROVIDER_NAME", value_name = "NAME")]
    pub oidc_provider_name: Option<String>,

    /// Which ways the console offers to sign in: `oidc`, `key` or `both`
    /// (default `both` with an issuer, `key` without).
    #[arg(long, env = "KEYWARD_CONSOLE_SIGN_IN", value_enum)]
    pub console_sign_in: Option<ConsoleSignIn>,
}

impl ServeArgs {
    pub fn usage_flush_interval(&self) -> Duration {
        Duration::from_millis(self.usage_flush_ms)
    }

    pub fn console(&self) -> crate::console::ConsoleOptions {
        let mut console = crate::console::ConsoleOptions::from_dir(&self.console_dir);
        if self.no_api_reference {
            console = console.without_api_reference();
        }
        console.secure_cookies = self.secure_cookies;
        console
    }

    pub fn connection_limits(&self) -> crate::connections::ConnectionLimits {
        crate::connections::ConnectionLimits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            max_connections_per_client: usize::try_from(self.max_connections_per_client()).unwrap_or(usize::MAX),
            ipv6_prefix: self.auth_ipv6_prefix,
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
        }
    }

    /// One client's share of `--max-connections`, by default a quarter. Behind
    /// a proxy every connection comes from it: all of them, then.
    fn max_connections_per_client(&self) -> u64 {
        match (self.max_connections_per_client, &self.client_ip_header) {
            (Some(share), _) => share,
            (None, Some(_)) => self.max_connections,
            (None, None) => (self.max_connections / 4).max(1),
        }
    }

    /// The partners whose leak reports this process accepts, from their
    /// keys files: read by `serve` only, before anything else, so a bad
    /// file stops the start and never blocks another command.
    pub fn scanning_partners(&self) -> Result<ScanningPartners, String> {
        let load = |flag: &str, path: &Option<PathBuf>| match path {
            Some(path) => PartnerKeys::load(path).map_err(|error| format!("--{flag}: {error}")),
            None => Ok(PartnerKeys::default()),
        };
        Ok(ScanningPartners {
            github: load("github-scanning-keys", &self.github_scanning_keys)?,
            gitlab: load("gitlab-scanning-keys", &self.gitlab_scanning_keys)?,
        })
    }

    /// How the domain behaves in this process.
    /// The console's ways in, with the identity provider when one is set;
    /// a setting missing or unusable is named with its flag.
    pub fn sign_in_ways(&self) -> Result<SignInWays, String> {
        let Some(issuer) = &self.oidc_issuer else {
            return match self.console_sign_in {
                None | Some(ConsoleSignIn::Key) => Ok(SignInWays::key_only()),
                Some(_) => Err("--console-sign-in oidc or both needs --oidc-issuer".to_owned()),
            };
        };
        let needs = |flag: &str| format!("--oidc-issuer needs {flag}");
        let client_id = self.oidc_client_id.clone().ok_or_else(|| needs("--oidc-client-id"))?;
        let secret_file = self.oidc_client_secret_file.as_ref().ok_or_else(|| needs("--oidc-client-secret-file"))?;
        let public_url = self.public_url.as_deref().ok_or_else(|| needs("--public-url"))?;
        let secret = std::fs::read_to_string(secret_file)
            .map_err(|error| format!("--oidc-client-secret-file {}: {error}", secret_file.display()))?;
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(format!("--oidc-client-secret-file {}: the file is empty", secret_file.display()));
        }
        let issuer = openidconnect::IssuerUrl::new(issuer.clone())
            .map_err(|error| format!("--oidc-issuer {issuer:?}: {error}"))?;
        let redirect = format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/'));
        let redirect = openidconnect::RedirectUrl::new(redirect)
            .map_err(|error| format!("--public-url {public_url:?}: {error}"))?;
        let provider_name = self
            .oidc_provider_name
            .clone()
            .or_else(|| issuer.url().host_str().map(str::to_owned))
            .unwrap_or_else(|| "your identity provider".to_owned());
        let oidc = Oidc::new(OidcSettings {
            issuer,
            client_id: openidconnect::ClientId::new(client_id),
            client_secret: openidconnect::ClientSecret::new(secret.to_owned()),
            redirect,
            provider_name,
        })?;
        Ok(SignInWays { mode: self.console_sign_in.unwrap_or(ConsoleSignIn::Both), oidc: Some(oidc) })
    }

    pub fn settings(&self) -> domain::Settings {
        domain::Settings {
            throttle: domain::ThrottleLimits {
                per_address: self.auth_failures_per_address,
                per_key: self.auth_failures_per_key,
                ipv6_prefix: self.auth_ipv6_prefix,
                ..Default::default()
            },
            sessions: domain::SessionLimits {
                idle: TimeDelta::minutes(self.session_idle_minutes.into()),
                absolute: TimeDelta::hours(self.session_max_hours.into()),
            },
            warm_cache: if self.no_warm_cache { domain::WarmCache::Off } else { domain::WarmCache::On },
            regions: domain::RegionLimits {
                keys: self.max_keys_per_region,
                new_keys_per_minute: self.new_keys_per_minute,
            },
            usage: if self.no_usage_insight { domain::UsageInsight::Off } else { domain::UsageInsight::On },
            webhooks: domain::WebhookSettings {
                allow_http: self.webhooks_allow_http,
                allow_private: self.webhooks_allow_private,
            },
        }
    }
}

fn parse_scope(text: &str) -> Result<Scope, InvalidInput> {
    Scope::parse(text)
}

/// A region name as the domain checks it, refused by clap with its reason.
fn parse_email(text: &str) -> Result<Email, InvalidInput> {
    Email::parse(text)
}

fn parse_region_name(text: &str) -> Result<RegionName, InvalidInput> {
    RegionName::parse(text)
}

/// A description as the domain checks it; blank is refused (leave it out).
fn parse_description(text: &str) -> Result<Description, InvalidInput> {
    Description::parse(text)?.ok_or_else(|| InvalidInput("the description must not be blank".to_owned()))
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;

    fn serve_args(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        let cli = Cli::try_parse_from(["keyward", "serve"].iter().chain(args))?;
        match cli.command {
            Some(Command::Serve(args)) => Ok(args),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn session_time_outs_default_and_can_be_set() {
        let defaults = serve_args(&[]).unwrap().settings().sessions;
        assert_eq!((defaults.idle, defaults.absolute), (TimeDelta::minutes(30), TimeDelta::hours(12)));
        let set =
            serve_args(&["--session-idle-minutes", "10", "--session-max-hours", "2"]).unwrap().settings().sessions;
        assert_eq!((set.idle, set.absolute), (TimeDelta::minutes(10), TimeDelta::hours(2)));
    }

    #[test]
    fn a_client_may_hold_a_quarter_of_the_connections_or_all_behind_a_proxy() {
        let share = |args: &[&str]| serve_args(args).unwrap().connection_limits().max_connections_per_client;
        assert_eq!(share(&[]), 256);
        assert_eq!(share(&["--max-connections", "2"]), 1);
        assert_eq!(share(&["--client-ip-header", "x-forwarded-for"]), 1024);
        assert_eq!(share(&["--max-connections-per-client", "10", "--client-ip-header", "x-forwarded-for"]), 10);
    }

    #[test]
    fn session_time_outs_out_of_range_are_refused() {
        for args in [["--session-idle-minutes", "0"], ["--session-idle-minutes", "2000"], ["--session-max-hours", "0"]]
        {
            assert_eq!(serve_args(&args).unwrap_err().kind(), ErrorKind::ValueValidation, "{args:?}");
        }
    }

    #[test]
    fn console_sign_in_is_by_key_without_an_issuer_and_a_missing_oidc_setting_is_named() {
        let ways = serve_args(&[]).unwrap().sign_in_ways().unwrap();
        assert_eq!((ways.mode, ways.oidc.is_none()), (ConsoleSignIn::Key, true));
        let refused = serve_args(&["--console-sign-in", "oidc"]).unwrap().sign_in_ways().err().unwrap();
        assert!(refused.contains("--oidc-issuer"), "{refused}");
        let issuer = ["--oidc-issuer", "https://idp.example.org"];
        let refused = serve_args(&issuer).unwrap().sign_in_ways().err().unwrap();
        assert!(refused.contains("--oidc-client-id"), "{refused}");
        let secret = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(secret.path(), "s3cret\n").unwrap();
        let path = secret.path().to_str().unwrap();
        let mut args = vec!["--oidc-client-id", "keyward", "--oidc-client-secret-file", path];
        args.extend(issuer);
        let refused = serve_args(&args).unwrap().sign_in_ways().err().unwrap();
        assert!(refused.contains("--public-url"), "{refused}");
        args.extend(["--public-url", "https://keys.example.org/"]);
        let ways = serve_args(&args).unwrap().sign_in_ways().unwrap();
        assert_eq!(ways.mode, ConsoleSignIn::Both, "both by default with an issuer");
        assert_eq!(ways.oidc.unwrap().provider_name(), "idp.example.org");
    }
}
