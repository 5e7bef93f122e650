//! The server's test harness on top of `testkit` (a fresh database per
//! test): the real router on an ephemeral port, the real `keyward` binary,
//! and a database connection the test can cut.

#![allow(dead_code)] // each test file uses a different part of the harness

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use domain::model::CreatedRegion;
use domain::{Keyward, Settings, ThrottleLimits};
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;
use server::AppState;
use testkit::TestDb;

/// A migrated domain over the database at `url`.
pub async fn keyward_at(url: &str, limits: ThrottleLimits) -> Keyward {
    let db = domain::connect(url).await.expect("connect");
    domain::migrate(&db).await.expect("migrate");
    Keyward::new(db, Settings { throttle: limits, ..Default::default() })
}

/// The router over `state` on 127.0.0.1:0, with the serving process's
/// background work (usage flushes, the cache's coherence); its URL. A
/// second one over the same database is a second serving process.
pub async fn serve_router(state: AppState) -> String {
    let keyward = state.keyward.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let app = server::app(state);
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    server::serve::spawn_usage_flusher(keyward.clone(), Duration::from_millis(50), std::future::pending());
    tokio::spawn(async move { keyward.maintain_coherence(std::future::pending()).await });
    format!("http://{address}")
}

/// The real router, served in this process on 127.0.0.1:0.
pub struct TestServer {
    pub url: String,
    pub keyward: Keyward,
    pub db: TestDb,
    pub client: reqwest::Client,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(ThrottleLimits::default()).await
    }

    pub async fn start_with(limits: ThrottleLimits) -> TestServer {
        let db = TestDb::fresh().await;
        let keyward = keyward_at(&db.url, limits).await;
        Self::serve(keyward, db).await
    }

    /// Serves `keyward`, which may reach `db` another way than `db.url`.
    pub async fn serve(keyward: Keyward, db: TestDb) -> TestServer {
        Self::serve_state(AppState::new(keyward), db).await
    }

    /// Serves the router over `state`.
    pub async fn serve_state(state: AppState, db: TestDb) -> TestServer {
        let keyward = state.keyward.clone();
        let url = serve_router(state).await;
        TestServer { url, keyward, db, client: reqwest::Client::new() }
    }

    pub async fn region(&self, name: &str) -> CreatedRegion {
        testkit::region(&self.keyward, name).await
    }

    pub fn request(&self, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.url)).header("x-api-key", token)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, token).send().await.expect("request")
    }

    pub async fn create_key(&self, token: &str, body: Value) -> Response {
        self.request(Method::POST, "/auth/region/api-keys", token).json(&body).send().await.expect("request")
    }

    /// Creates a key and returns its token.
    pub async fn new_token(&self, token: &str) -> String {
        let response = self.create_key(token, serde_json::json!({})).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, token).send().await.expect("request")
    }

    /// The caller's region as `GET /auth/regions/me` shows it.
    pub async fn me(&self, token: &str) -> Value {
        let response = self.get("/auth/regions/me", token).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

/// Reads a problem+json response and checks its shape.
pub async fn problem(response: Response, status: StatusCode, kind: &str) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], format!("urn:keyward:problem:{kind}"), "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}

/// Waits until `process` has logged `text`.
pub async fn wait_for_log(process: &Process, text: &str, timeout: Duration) {
    testkit::eventually(timeout, || async { process.logs().contains(text).then_some(()) }).await;
}

/// A `keyward` process.
pub struct Process {
    child: Child,
    pub url: String,
    pub stdout: Arc<Mutex<String>>,
    pub stderr: Arc<Mutex<String>>,
}

pub fn keyward() -> Command {
    Command::new(env!("CARGO_BIN_EXE_keyward"))
}

impl Process {
    /// Starts `keyward serve` on a free port and waits until it listens.
    /// Usage is flushed every 50 ms unless `extra` says otherwise.
    pub fn serve(database_url: &str, extra: &[&str]) -> Process {
        Self::serve_with_env(database_url, extra, &[])
    }

    /// As [`Process::serve`], with these environment variables set too.
    pub fn serve_with_env(database_url: &str, extra: &[&str], env: &[(&str, &str)]) -> Process {
        let mut child = keyward()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .envs(env.iter().copied())
            .env("DATABASE_URL", database_url)
            .env("KEYWARD_USAGE_FLUSH_MS", "50")
            .env("RUST_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start keyward");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (listening, address) = mpsc::channel();
        drain(child.stdout.take().unwrap(), stdout.clone(), Some(listening));
        drain(child.stderr.take().unwrap(), stderr.clone(), None);
        let url = match address.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                child.kill().ok();
                panic!("keyward did not start; stderr:\n{}", stderr.lock().unwrap());
            }
        };
        Process { child, url, stdout, stderr }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to flush or finish anything.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }

    /// SIGTERM and wait for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill -TERM");
        assert!(status.success());
        self.child.wait().expect("wait")
    }

    pub fn logs(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn printed(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Collects a pipe into `sink`; reports the listening URL once seen.
fn drain(pipe: impl std::io::Read + Send + 'static, sink: Arc<Mutex<String>>, listening: Option<mpsc::Sender<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if let (Some(sender), Some(url)) = (&listening, line.strip_prefix("Keyward is listening on ")) {
                sender.send(url.to_owned()).ok();
            }
            let mut sink = sink.lock().unwrap();
            sink.push_str(&line);
            sink.push('\n');
        }
    });
}

/// A TCP proxy in front of the database that the test can cut and restore,
/// to see the server lose its database and get it back.
pub struct DbProxy {
    pub address: SocketAddr,
    open: Arc<std::sync::atomic::AtomicBool>,
    connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl DbProxy {
    /// A proxy in front of `db`'s Postgres and the URL that goes through it;
    /// `None` on SQLite, which no network separates from its server.
    pub async fn in_front_of(db: &TestDb) -> Option<(DbProxy, String)> {
        if !db.is_postgres() {
            eprintln!("skipped: losing the database over the network needs Postgres (KEYWARD_TEST_POSTGRES_URL)");
            return None;
        }
        let (credentials, rest) = db.url.split_once('@')?;
        let (host_and_port, name) = rest.split_once('/')?;
        let proxy = DbProxy::start(host_and_port.parse().ok()?).await;
        let proxied = format!("{credentials}@{}/{name}", proxy.address);
        Some((proxy, proxied))
    }

    pub async fn start(upstream: SocketAddr) -> DbProxy {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let open = Arc::new(AtomicBool::new(true));
        let connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (accepting, tracked) = (open.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accepting.load(Ordering::SeqCst) {
                    continue; // dropped: the connection closes at once
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await {
                        tokio::io::copy_bidirectional(&mut client, &mut server).await.ok();
                    }
                });
                tracked.lock().unwrap().push(task.abort_handle());
            }
        });
        DbProxy { address, open, connections }
    }

    /// The database becomes unreachable: open connections die, new ones are refused.
    pub fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    pub fn restore(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
