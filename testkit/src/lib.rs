//! Keyward's shared test support, used by the domain's and the server's
//! tests and by the benchmark: a database of its own per test (a SQLite
//! file in a temp dir, or a fresh database on the Postgres named by
//! `KEYWARD_TEST_POSTGRES_URL`), a [`Keyward`] over it, and waiting for a
//! condition instead of sleeping.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use domain::model::{CreatedRegion, Description, Environment, RegionName};
use domain::{Keyward, Settings};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub use domain::testing::{
    all_argon2_turns, as_sandbox, entity, hash_secret, is_well_formed_token, random_name, unknown_token, verify_secret,
    with_lookup, with_other_secret,
};

/// The client address of calls made straight to the domain.
pub const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The variable that points the tests at Postgres instead of SQLite.
pub const POSTGRES_URL_VAR: &str = "KEYWARD_TEST_POSTGRES_URL";

/// A database of its own for one test. Its SQLite file, if any, lives as
/// long as this value.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn fresh() -> TestDb {
        match std::env::var(POSTGRES_URL_VAR) {
            Ok(admin_url) => {
                let name = format!("kw_{}", random_name(12).to_lowercase());
                let admin = domain::connect(&admin_url).await.expect("connect to the test Postgres");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
                admin.close().await.ok();
                let (base, _) = admin_url.rsplit_once('/').expect("the Postgres URL names a database");
                TestDb { url: format!("{base}/{name}"), _dir: None }
            }
            Err(_) => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/keyward.db?mode=rwc", dir.path().display());
                TestDb { url, _dir: Some(dir) }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }

    /// A new, migrated connection pool.
    pub async fn connect(&self) -> DatabaseConnection {
        let db = domain::connect(&self.url).await.expect("connect");
        domain::migrate(&db).await.expect("migrate");
        db
    }

    /// The domain over this database with `settings`.
    pub async fn keyward(&self, settings: Settings) -> Keyward {
        Keyward::new(self.connect().await, settings)
    }
}

/// Polls `check` until it returns `Some`, failing after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "condition not met within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The domain over a fresh database, and a connection of the test's own
/// for looking at rows directly.
pub struct Fixture {
    pub keyward: Keyward,
    pub db: DatabaseConnection,
    pub test_db: TestDb,
}

pub async fn fixture(settings: Settings) -> Fixture {
    let test_db = TestDb::fresh().await;
    let db = test_db.connect().await;
    Fixture { keyward: Keyward::new(db.clone(), settings), db, test_db }
}

/// A live region named `name` and its first key.
pub async fn region(keyward: &Keyward, name: &str) -> CreatedRegion {
    let name = RegionName::parse(name).expect("a valid region name");
    keyward.regions().create(name, Environment::Live, None).await.expect("create a region")
}

/// An accepted API call with `token`, as the REST API counts it: the
/// key's use, noted for the next flush.
pub async fn use_key(keyward: &Keyward, token: &str) -> domain::Caller {
    let key_use = keyward.authenticator().authenticate_use(token, CLIENT, Default::default()).await;
    let key_use = key_use.expect("a valid key");
    let caller = key_use.caller().clone();
    key_use.finish(domain::model::UseOutcome::Accepted);
    caller
}

/// A description, which must be a valid one.
pub fn description(text: &str) -> Option<Description> {
    Some(Description::parse(text).expect("a valid description").expect("not blank"))
}
