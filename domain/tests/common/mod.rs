//! The test database: a temp SQLite file, or a fresh database on the
//! Postgres named by `KEYWARD_TEST_POSTGRES_URL`.

use std::net::IpAddr;

use domain::{KeyService, SessionLimits, ThrottleLimits};
use sea_orm::ConnectionTrait;

pub const CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

pub struct Fixture {
    pub keys: KeyService,
    // Dropped last: the database file lives here.
    _dir: tempfile::TempDir,
}

pub async fn fixture(limits: ThrottleLimits, sessions: SessionLimits) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match std::env::var("KEYWARD_TEST_POSTGRES_URL") {
        Ok(admin_url) => fresh_postgres_database(&admin_url).await,
        Err(_) => format!("sqlite://{}?mode=rwc", dir.path().join("keyward.db").display()),
    };
    let db = domain::db::connect(&url).await.expect("connect");
    domain::db::migrate(&db).await.expect("migrate");
    Fixture { keys: KeyService::new(db, limits).with_session_limits(sessions), _dir: dir }
}

/// A new, empty database next to the one `admin_url` names.
async fn fresh_postgres_database(admin_url: &str) -> String {
    let name = format!("keyward_domain_{}", domain::token::random_base62(12).to_lowercase());
    let admin = domain::db::connect(admin_url).await.expect("connect to the test Postgres");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
    let (base, _) = admin_url.rsplit_once('/').expect("the Postgres URL names a database");
    format!("{base}/{name}")
}

pub async fn default_fixture() -> Fixture {
    fixture(ThrottleLimits::default(), SessionLimits::default()).await
}
