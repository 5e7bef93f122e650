//! The shipped reverse proxy configurations (`deploy/nginx`, `deploy/caddy`)
//! driven for real: Debian's nginx and Caddy on loopback, in front of an
//! upstream that echoes what it received, with Keyward checking every key.
//!
//! `scripts/test.sh` installs both and sets `KEYWARD_REQUIRE_PROXIES`; a
//! plain `cargo test` on a machine without them says so and skips.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use common::{TestServer, keyward_at};
use domain::ThrottleLimits;
use reqwest::StatusCode;
use server::AppState;
use server::extract::ClientIpHeader;
use testkit::{TestDb, eventually};

/// An upstream API that remembers the headers of each request it got.
#[derive(Clone, Default)]
struct Upstream {
    requests: Arc<AtomicUsize>,
    last_headers: Arc<Mutex<HeaderMap>>,
}

impl Upstream {
    async fn start(&self) -> SocketAddr {
        let seen = self.clone();
        let app = Router::new().fallback(move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                seen.requests.fetch_add(1, Ordering::SeqCst);
                *seen.last_headers.lock().unwrap() = headers;
                "upstream answered"
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        address
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    fn last_header(&self, name: &str) -> Option<String> {
        self.last_headers.lock().unwrap().get(name).map(|value| value.to_str().unwrap().to_owned())
    }
}

/// A proxy process, stopped when dropped.
struct Proxy {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Whether `binary` is installed; without it, fails under `scripts/test.sh`
/// and skips elsewhere.
fn installed(binary: &str) -> bool {
    if Path::new(binary).exists() {
        return true;
    }
    assert!(std::env::var_os("KEYWARD_REQUIRE_PROXIES").is_none(), "{binary} is missing; scripts/test.sh installs it");
    eprintln!("skipped: {binary} is not installed (scripts/test.sh installs it)");
    false
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The shipped file with its example addresses replaced by the test's.
fn shipped(path: &str, replacements: &[(&str, String)]) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    let mut text = std::fs::read_to_string(&file).unwrap();
    for (example, actual) in replacements {
        assert!(text.contains(example), "{path} no longer contains {example}");
        text = text.replace(example, actual);
    }
    text
}

/// Starts `command` (its output goes to the test's) and waits until `port` listens.
async fn start(mut command: Command, port: u16, dir: tempfile::TempDir) -> Proxy {
    let child = command.spawn().expect("start the proxy");
    let proxy = Arc::new(Mutex::new(Proxy { child, url: format!("http://127.0.0.1:{port}"), _dir: dir }));
    eventually(Duration::from_secs(20), || {
        let proxy = proxy.clone();
        async move {
            assert!(proxy.lock().unwrap().child.try_wait().unwrap().is_none(), "the proxy exited at start");
            tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok().map(|_| ())
        }
    })
    .await;
    Arc::into_inner(proxy).and_then(|proxy| proxy.into_inner().ok()).expect("the only handle")
}

async fn nginx(keyward: SocketAddr, upstream: SocketAddr) -> Proxy {
    nginx_checking("/auth/check", keyward, upstream).await
}

/// nginx as shipped, but checking every request at `check` (path and query).
async fn nginx_checking(check: &str, keyward: SocketAddr, upstream: SocketAddr) -> Proxy {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let site = shipped(
        "deploy/nginx/keyward.conf",
        &[
            ("proxy_pass http://keyward/auth/check;", format!("proxy_pass http://keyward{check};")),
            ("127.0.0.1:3000", keyward.to_string()),
            ("127.0.0.1:8080", upstream.to_string()),
            ("listen 127.0.0.1:8000", format!("listen 127.0.0.1:{port}")),
        ],
    );
    let root = dir.path().display();
    std::fs::write(dir.path().join("keyward.conf"), site).unwrap();
    let main = format!(
        "pid {root}/nginx.pid;\nerror_log stderr warn;\nevents {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {root}/body;\n  proxy_temp_path {root}/proxy;\n\
         fastcgi_temp_path {root}/fastcgi;\n  uwsgi_temp_path {root}/uwsgi;\n  scgi_temp_path {root}/scgi;\n\
         include {root}/keyward.conf;\n}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
    let mut command = Command::new("/usr/sbin/nginx");
    command.args([
        "-e",
        "stderr",
        "-p",
        &root.to_string(),
        "-c",
        "nginx.conf",
        "-g",
        "daemon off; master_process off;",
    ]);
    start(command, port, dir).await
}

async fn caddy(keyward: SocketAddr, upstream: SocketAddr) -> Proxy {
    caddy_checking("/auth/check", keyward, upstream).await
}

/// Caddy as shipped, but checking every request at `check` (path and query).
async fn caddy_checking(check: &str, keyward: SocketAddr, upstream: SocketAddr) -> Proxy {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let site = shipped(
        "deploy/caddy/Caddyfile",
        &[
            ("uri /auth/check\n", format!("uri {check}\n")),
            ("http://127.0.0.1:8001", format!("http://127.0.0.1:{port}")),
            ("127.0.0.1:3000", keyward.to_string()),
            ("127.0.0.1:8080", upstream.to_string()),
        ],
    );
    let caddyfile = dir.path().join("Caddyfile");
    std::fs::write(&caddyfile, format!("{{\n\tadmin off\n}}\n\n{site}")).unwrap();
    let mut command = Command::new("/usr/bin/caddy");
    command
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&caddyfile)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        // Caddy logs every start-up step; nginx only warnings.
        .stderr(Stdio::null());
    start(command, port, dir).await
}

/// A client calling from its own loopback address, as a distinct client.
fn client_from(last_octet: u8) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::from([127, 0, 0, last_octet])).build().unwrap()
}

/// What every shipped configuration must do, whatever the proxy.
async fn guards_the_api(which: &str, start_proxy: impl AsyncFnOnce(SocketAddr, SocketAddr) -> Proxy) {
    // Three failures per client address, then 429: each scenario below
    // calls from its own address so they cannot throttle one another.
    let limits =
        ThrottleLimits { per_address: 3, per_key: 1000, window: Duration::from_secs(60), ..Default::default() };
    let db = TestDb::fresh().await;
    let keyward = keyward_at(&db.url, limits).await;
    let state = AppState {
        client_ip_header: ClientIpHeader(Some(axum::http::HeaderName::from_static("x-forwarded-for"))),
        ..AppState::new(keyward)
    };
    let server = TestServer::serve_state(state, db).await;
    let created = server.region("acme").await;
    let token = created.api_key.token.clone();
    let upstream = Upstream::default();
    let upstream_address = upstream.start().await;
    let keyward_address: SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let proxy = start_proxy(keyward_address, upstream_address).await;
    let url = |path: &str| format!("{}{path}", proxy.url);

    // A valid key reaches the API with Keyward's word on it, not the client's.
    let client = client_from(2);
    let spoofed = "reg_Spoofed000000000";
    let allowed = client
        .post(url("/orders/42"))
        .header("x-api-key", &token)
        .header("x-keyward-region-id", spoofed)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK, "{which}");
    assert_eq!(allowed.text().await.unwrap(), "upstream answered", "{which}");
    assert_eq!(upstream.last_header("x-keyward-region-id").as_deref(), Some(created.region.id.as_str()), "{which}");
    assert_eq!(upstream.last_header("x-keyward-key-id").as_deref(), Some(created.api_key.key.id.as_str()), "{which}");
    assert_eq!(upstream.last_header("x-keyward-sandbox").as_deref(), Some("false"), "{which}");
    assert_eq!(upstream.last_header("x-keyward-scopes").as_deref(), Some("*"), "{which}");
    assert_eq!(upstream.last_header("x-api-key"), None, "{which}: the key is not forwarded");
    let bearer = client.get(url("/orders")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bearer.status(), StatusCode::OK, "{which}");
    assert_eq!(upstream.last_header("authorization"), None, "{which}: the key is not forwarded");

    // Missing, malformed and unknown keys never reach it.
    let reached = upstream.requests();
    let refusals = client_from(3);
    for key in [None, Some("kw_live_garbage".to_owned()), Some(testkit::unknown_token())] {
        let mut request = refusals.get(url("/orders"));
        if let Some(key) = &key {
            request = request.header("x-api-key", key);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{which}: {key:?}");
        assert_eq!(refused.headers()["www-authenticate"], "ApiKey realm=\"keyward\"", "{which}");
    }
    assert_eq!(upstream.requests(), reached, "{which}: nothing refused reached the API");

    // A key deleted through the REST API is refused on its very next request.
    let doomed = server.new_token(&token).await;
    let doomed_id = server.me(&doomed).await["current_api_key_id"].as_str().unwrap().to_owned();
    let with_doomed = || client.get(url("/orders")).header("x-api-key", &doomed).send();
    assert_eq!(with_doomed().await.unwrap().status(), StatusCode::OK, "{which}");
    let deleted = server.delete(&format!("/auth/region/api-keys/{doomed_id}"), &token).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(with_doomed().await.unwrap().status(), StatusCode::UNAUTHORIZED, "{which}");

    // A client that guessed secrets too often is told to wait...
    let guesser = client_from(4);
    for _ in 0..3 {
        let guess = guesser.get(url("/orders")).header("x-api-key", testkit::with_other_secret(&token));
        let guess = guess.send().await.unwrap();
        assert_eq!(guess.status(), StatusCode::UNAUTHORIZED, "{which}");
    }
    let fresh = server.new_token(&token).await;
    let reached = upstream.requests();
    let throttled = guesser.get(url("/orders")).header("x-api-key", &fresh).send().await.unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS, "{which}");
    let wait: u64 = throttled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{which}: Retry-After {wait}");
    assert_eq!(throttled.headers()["x-keyward-code"], "throttled", "{which}");
    assert_eq!(upstream.requests(), reached, "{which}: nothing throttled reached the API");
    // ...while another client behind the same proxy is not.
    let other = client_from(5).get(url("/orders")).header("x-api-key", &fresh).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::OK, "{which}: one client's failures do not throttle another");
}

/// A key's owner reaches the API, and a key over its rate limit or out of
/// credits gets its 429 with `Retry-After`, `X-Keyward-Code` and the
/// RateLimit fields through the proxy, and never reaches the API.
async fn passes_policy_on(which: &str, start_proxy: impl AsyncFnOnce(SocketAddr, SocketAddr) -> Proxy) {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let owner = server.request(reqwest::Method::POST, "/auth/region/owners", &admin);
    let owner: serde_json::Value =
        owner.json(&serde_json::json!({"external_id": "customer-4711"})).send().await.unwrap().json().await.unwrap();
    let key = |body: serde_json::Value| {
        let server = &server;
        let admin = &admin;
        async move {
            let created: serde_json::Value = server.create_key(admin, body).await.json().await.unwrap();
            created["token"].as_str().unwrap().to_owned()
        }
    };
    let limit = serde_json::json!([{"name": "hourly", "limit": 1, "period_s": 3600}]);
    let limited = key(serde_json::json!({"owner_id": owner["id"], "rate_limits": limit})).await;
    let spent = key(serde_json::json!({"credits": {"remaining": 0, "refill": {"amount": 5, "interval": "day"}}})).await;
    let upstream = Upstream::default();
    let upstream_address = upstream.start().await;
    let keyward_address: SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let proxy = start_proxy(keyward_address, upstream_address).await;
    let client = reqwest::Client::new();
    let get = |token: &str| {
        client
            .get(format!("{}/orders", proxy.url))
            .header("x-api-key", token)
            .header("x-keyward-owner", "spoofed")
            .send()
    };

    assert_eq!(get(&limited).await.unwrap().status(), StatusCode::OK, "{which}");
    assert_eq!(upstream.last_header("x-keyward-owner").as_deref(), Some("customer-4711"), "{which}");
    let reached = upstream.requests();
    let over = get(&limited).await.unwrap();
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS, "{which}");
    assert_eq!(over.headers()["x-keyward-code"], "rate_limited", "{which}");
    let wait: u64 = over.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{which}: Retry-After {wait}");
    assert_eq!(over.headers()["ratelimit-policy"], "\"hourly\";q=1;w=3600", "{which}");
    assert!(over.headers()["ratelimit"].to_str().unwrap().starts_with("\"hourly\";r=0;t="), "{which}");
    let body: serde_json::Value = over.json().await.unwrap();
    assert_eq!(body["type"], "urn:keyward:problem:rate-limited", "{which}");
    let exhausted = get(&spent).await.unwrap();
    assert_eq!(exhausted.status(), StatusCode::TOO_MANY_REQUESTS, "{which}");
    assert_eq!(exhausted.headers()["x-keyward-code"], "credits_exhausted", "{which}");
    assert!(exhausted.headers().contains_key("retry-after"), "{which}: until the refill");
    assert_eq!(upstream.requests(), reached, "{which}: nothing limited reached the API");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_passes_the_owner_and_the_policys_refusals_on() {
    if installed("/usr/sbin/nginx") {
        passes_policy_on("nginx", nginx).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caddy_passes_the_owner_and_the_policys_refusals_on() {
    if installed("/usr/bin/caddy") {
        passes_policy_on("caddy", caddy).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_with_the_shipped_configuration_guards_the_api() {
    if installed("/usr/sbin/nginx") {
        guards_the_api("nginx", nginx).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caddy_with_the_shipped_configuration_guards_the_api() {
    if installed("/usr/bin/caddy") {
        guards_the_api("caddy", caddy).await;
    }
}

/// A check that requires a scope, as documented and with the one-character
/// slip `/auth/check/?scope=`: either way a key without the scope never
/// reaches the API. A client's own `?scope=` is the API's business.
async fn requires_the_scope<F>(which: &str, start_proxy: F)
where
    F: AsyncFn(&str, SocketAddr, SocketAddr) -> Proxy,
{
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let created = server.create_key(&admin, serde_json::json!({"scopes": ["orders:read"]})).await;
    let reader = created.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let upstream = Upstream::default();
    let upstream_address = upstream.start().await;
    let keyward_address: SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let client = reqwest::Client::new();
    for check in ["/auth/check?scope=orders:write", "/auth/check/?scope=orders:write"] {
        let proxy = start_proxy(check, keyward_address, upstream_address).await;
        let url = |path: &str| format!("{}{path}", proxy.url);
        let reached = upstream.requests();
        let refused = client.get(url("/orders")).header("x-api-key", &reader).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{which} checking at {check}");
        assert_eq!(upstream.requests(), reached, "{which} checking at {check}: nothing refused reached the API");
        let allowed = client.get(url("/orders?scope=anything")).header("x-api-key", &admin).send().await.unwrap();
        assert_eq!(allowed.status(), StatusCode::OK, "{which} checking at {check}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_never_drops_a_required_scope() {
    if installed("/usr/sbin/nginx") {
        requires_the_scope("nginx", nginx_checking).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caddy_never_drops_a_required_scope() {
    if installed("/usr/bin/caddy") {
        requires_the_scope("caddy", caddy_checking).await;
    }
}
