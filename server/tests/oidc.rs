//! Signing people in with OpenID Connect, against an identity provider this
//! test runs on loopback and can make misbehave: it signs ID tokens with
//! its own P-256 key (or with another key it does not publish), and each
//! case bends one claim. Keyward's side is the real router with the
//! `openidconnect` crate; every refusal must be a readable page, create no
//! session, and leave the attempt used up.
//!
//! The browser's way through a real provider (npm `oidc-provider`, its own
//! login and consent pages) is `end2end/tests/oidc.spec.ts`.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::TestServer;
use domain::model::{Email, NewAdministrator, Scopes};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::AppState;
use server::oidc::{ConsoleSignIn, Oidc, OidcSettings, SignInWays};
use sha2::Digest;
use testkit::TestDb;

const CLIENT_ID: &str = "keyward";
const CLIENT_SECRET: &str = "test-secret-of-keyward";

/// How the provider bends its next ID token.
#[derive(Clone, Default)]
struct Bend {
    other_key: bool,
    issuer: Option<String>,
    audience: Option<String>,
    nonce: Option<String>,
    expired: bool,
    email_verified: Option<bool>,
    email: Option<String>,
}

#[derive(Clone)]
struct Provider {
    issuer: String,
    key: SigningKey,
    other: SigningKey,
    bend: Arc<Mutex<Bend>>,
    /// What `/authorize` was asked: nonce and PKCE challenge.
    asked: Arc<Mutex<Option<(String, String)>>>,
    /// Whether the token endpoint saw the right PKCE verifier.
    pkce_ok: Arc<Mutex<Option<bool>>>,
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_slice(&[seed; 32]).expect("a valid scalar")
}

async fn start_provider() -> Provider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let provider = Provider {
        issuer: format!("http://{address}"),
        key: key(0x11),
        other: key(0x22),
        bend: Arc::default(),
        asked: Arc::default(),
        pkce_ok: Arc::default(),
    };
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(provider.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    provider
}

async fn discovery(State(p): State<Provider>) -> Json<Value> {
    Json(json!({
        "issuer": p.issuer,
        "authorization_endpoint": format!("{}/authorize", p.issuer),
        "token_endpoint": format!("{}/token", p.issuer),
        "jwks_uri": format!("{}/jwks", p.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
    }))
}

async fn jwks(State(p): State<Provider>) -> Json<Value> {
    let point = p.key.verifying_key().to_encoded_point(false);
    Json(json!({"keys": [{
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": "k1",
        "x": B64.encode(point.x().unwrap()), "y": B64.encode(point.y().unwrap()),
    }]}))
}

/// Records the nonce and the challenge, and answers as a provider whose
/// user signed in: back to the redirect URI with a code and the state.
async fn authorize(
    State(p): State<Provider>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> axum::response::Redirect {
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["response_type"], "code");
    assert!(query["scope"].split(' ').any(|scope| scope == "openid"));
    *p.asked.lock().unwrap() = Some((query["nonce"].clone(), query["code_challenge"].clone()));
    let redirect = format!("{}?code=the-code&state={}", query["redirect_uri"], query["state"]);
    axum::response::Redirect::to(&redirect)
}

async fn token(
    State(p): State<Provider>,
    headers: axum::http::HeaderMap,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Json<Value> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    assert_eq!(headers["authorization"], format!("Basic {basic}"));
    let (nonce, challenge) = p.asked.lock().unwrap().clone().expect("authorize came first");
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    *p.pkce_ok.lock().unwrap() = Some(B64.encode(sha2::Sha256::digest(verifier.as_bytes())) == challenge);
    let bend = p.bend.lock().unwrap().clone();
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": bend.issuer.unwrap_or(p.issuer.clone()),
        "aud": bend.audience.unwrap_or(CLIENT_ID.to_owned()),
        "sub": "person-ann-1",
        "iat": now - 5,
        "exp": if bend.expired { now - 600 } else { now + 300 },
        "nonce": bend.nonce.unwrap_or(nonce),
        "email": bend.email.unwrap_or("Ann@Example.org".to_owned()),
        "email_verified": bend.email_verified.unwrap_or(true),
        "name": "Ann Example",
    });
    let header = B64.encode(json!({"alg": "ES256", "kid": "k1", "typ": "JWT"}).to_string());
    let input = format!("{header}.{}", B64.encode(claims.to_string()));
    let signer = if bend.other_key { &p.other } else { &p.key };
    let signature: Signature = signer.sign(input.as_bytes());
    let id_token = format!("{input}.{}", B64.encode(signature.to_bytes()));
    Json(json!({"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}))
}

/// Keyward over a fresh database, its console entered through `provider`.
async fn keyward_with(provider: &Provider) -> TestServer {
    let db = TestDb::fresh().await;
    let keyward = db.keyward(domain::Settings::default()).await;
    TestServer::serve_state(state_with(provider, keyward), db).await
}

/// A serving process over `keyward` whose console `provider` signs people in to.
fn state_with(provider: &Provider, keyward: domain::Keyward) -> AppState {
    // The redirect URI names Keyward's address, known once it listens: a
    // placeholder that the callback never compares (the provider does).
    let oidc = Oidc::new(OidcSettings {
        issuer: openidconnect::IssuerUrl::new(provider.issuer.clone()).unwrap(),
        client_id: openidconnect::ClientId::new(CLIENT_ID.to_owned()),
        client_secret: openidconnect::ClientSecret::new(CLIENT_SECRET.to_owned()),
        redirect: openidconnect::RedirectUrl::new("http://keyward.test/auth/oidc/callback".to_owned()).unwrap(),
        provider_name: "Test IdP".to_owned(),
    })
    .unwrap();
    AppState { sign_in: SignInWays { mode: ConsoleSignIn::Both, oidc: Some(oidc) }, ..AppState::new(keyward) }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// `Set-Cookie` values of a response, as `name=value`.
fn cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect()
}

/// One sign-in up to the callback: `/auth/oidc/login`, the provider's
/// answer, and the callback's URL with the browser's attempt cookie.
struct Flow {
    callback: String,
    attempt_cookie: String,
}

async fn begin(server: &TestServer) -> Flow {
    let client = no_redirects();
    let login = client.get(format!("{}/auth/oidc/login", server.url)).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let set_cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let attempt_cookie = cookies(&login).remove(0);
    let to_provider = login.headers()["location"].to_str().unwrap().to_owned();
    let back = client.get(&to_provider).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    // Keyward's own address instead of the placeholder redirect URI.
    let callback = callback.replace("http://keyward.test", &server.url);
    Flow { callback, attempt_cookie }
}

async fn finish(flow: &Flow) -> reqwest::Response {
    no_redirects().get(&flow.callback).header("cookie", &flow.attempt_cookie).send().await.unwrap()
}

async fn grant(server: &TestServer, region: &str, email: &str, scope: &str) -> domain::model::Administrator {
    let region = server.keyward.regions().find(region).await.unwrap();
    let new = NewAdministrator { email: Email::parse(email).unwrap(), scopes: Scopes::parse([scope]).unwrap() };
    server.keyward.administrators().grant_as_operator(&region.id, new).await.unwrap()
}

async fn sessions(server: &TestServer) -> u64 {
    server.keyward.sessions().live().await.unwrap()
}

/// A console server function of the process at `url`, with the session cookie `cookie`.
async fn console_call(url: &str, name: &str, cookie: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{url}/api/{name}"))
        .header("sec-fetch-site", "same-origin")
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_person_with_one_grant_signs_in_acts_as_themselves_and_is_out_once_revoked() {
    let provider = start_provider().await;
    let server = keyward_with(&provider).await;
    let created = server.region("acme").await;
    let granted = grant(&server, "acme", "ann@example.org", "keys:write").await;

    let response = finish(&begin(&server).await).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    assert_eq!(*provider.pkce_ok.lock().unwrap(), Some(true), "the token request carried PKCE's verifier");
    assert_eq!(response.headers()["location"], "/");
    let set = cookies(&response);
    let session = set.iter().find(|cookie| cookie.starts_with("keyward_session=")).expect("a session cookie").clone();
    assert!(set.iter().any(|cookie| cookie == "keyward_oidc="), "the attempt cookie is cleared: {set:?}");

    // The person acts with the grant's scopes, and the audit log names them.
    let dashboard = console_call(&server.url, "load_dashboard", &session).await;
    assert_eq!(dashboard.status(), StatusCode::OK);
    let dashboard: Value = dashboard.json().await.unwrap();
    assert_eq!(dashboard["overview"]["signed_in_as"]["email"], "ann@example.org");
    assert_eq!(dashboard["overview"]["current_api_key_id"], Value::Null);
    let audit = server.get("/auth/region/audit-events?action=console.signed_in", &created.api_key.token).await;
    let audit: Value = audit.json().await.unwrap();
    let actor = &audit[0]["actor"];
    assert_eq!(actor["type"], "person");
    assert_eq!(actor["email"], "ann@example.org");
    assert_eq!(actor["subject"], "person-ann-1");

    // Signing in again from this browser ends the session it held.
    let flow = begin(&server).await;
    let again =
        no_redirects().get(&flow.callback).header("cookie", format!("{}; {session}", flow.attempt_cookie)).send().await;
    let again = again.unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let renewed = cookies(&again).into_iter().find(|c| c.starts_with("keyward_session=")).expect("a new session");
    assert_eq!(console_call(&server.url, "load_dashboard", &session).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sessions(&server).await, 1);
    let session = renewed;

    // A second serving process over the same database knows the session.
    let other = common::serve_router(state_with(&provider, server.db.keyward(domain::Settings::default()).await)).await;
    assert_eq!(console_call(&other, "load_dashboard", &session).await.status(), StatusCode::OK);

    // Revoking the grant on one process ends the session on its next
    // request, on every process.
    let revoked = server.delete(&format!("/auth/region/administrators/{}", granted.id), &created.api_key.token).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    for process in [&server.url, &other] {
        let after = console_call(process, "load_dashboard", &session).await;
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "{process}");
    }
    assert_eq!(sessions(&server).await, 0);
}

#[tokio::test]
async fn a_person_acts_under_no_escalation_and_every_action_is_audited_as_them() {
    let provider = start_provider().await;
    let server = keyward_with(&provider).await;
    let created = server.region("acme").await;
    grant(&server, "acme", "ann@example.org", "keys:read").await;
    let response = finish(&begin(&server).await).await;
    let session = cookies(&response).into_iter().find(|c| c.starts_with("keyward_session=")).unwrap();
    let region = server.keyward.regions().find("acme").await.unwrap();
    let session_id = domain::SessionId::from_cookie(session.trim_start_matches("keyward_session=")).unwrap();
    let caller = server.keyward.sessions().caller(&session_id, "127.0.0.1".parse().unwrap()).await.unwrap();
    assert_eq!(caller.key_id(), None, "a person holds no key");
    assert_eq!(caller.region().id, region.id);
    // keys:read may neither grant nor make keys.
    let refused = server
        .keyward
        .administrators()
        .grant(
            &caller,
            NewAdministrator {
                email: Email::parse("bob@example.org").unwrap(),
                scopes: Scopes::parse(["keys:read"]).unwrap(),
            },
        )
        .await;
    assert!(matches!(refused, Err(domain::Error::InsufficientScope(_))), "{refused:?}");
    // A keys:write person's grants are people's scopes only, never `*`.
    let refused = server
        .request(reqwest::Method::POST, "/auth/region/administrators", &created.api_key.token)
        .json(&json!({"email": "c@example.org", "scopes": ["*"]}))
        .send()
        .await
        .unwrap();
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["type"], "urn:keyward:problem:invalid-input", "{body}");
}

/// REST: keys:write manages, keys:read lists, other regions' grants are
/// 404, every change is audited; the OpenAPI document has the routes.
#[tokio::test]
async fn administrators_over_rest_follow_the_scopes_and_regions() {
    let provider = start_provider().await;
    let server = keyward_with(&provider).await;
    let acme = server.region("acme").await;
    let globex = server.region("globex").await;
    let reader = server
        .create_key(&acme.api_key.token, json!({"scopes": ["keys:read"]}))
        .await
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = |token: &str, body: Value| {
        server.request(reqwest::Method::POST, "/auth/region/administrators", token).json(&body).send()
    };
    let created =
        post(&acme.api_key.token, json!({"email": "Ann@Example.org", "scopes": ["keys:write"]})).await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert!(created["id"].as_str().unwrap().starts_with("adm_"));
    assert_eq!(created["email"], "ann@example.org");
    let again = post(&acme.api_key.token, json!({"email": "ann@example.org", "scopes": ["keys:read"]})).await.unwrap();
    common::problem(again, StatusCode::CONFLICT, "administrator-exists").await;
    let refused = post(&reader, json!({"email": "bob@example.org", "scopes": ["keys:read"]})).await.unwrap();
    common::problem(refused, StatusCode::FORBIDDEN, "insufficient-scope").await;

    let listed: Value = server.get("/auth/region/administrators", &reader).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let id = created["id"].as_str().unwrap();
    let foreign = server.delete(&format!("/auth/region/administrators/{id}"), &globex.api_key.token).await;
    common::problem(foreign, StatusCode::NOT_FOUND, "administrator-not-found").await;
    let by_reader = server.delete(&format!("/auth/region/administrators/{id}"), &reader).await;
    common::problem(by_reader, StatusCode::FORBIDDEN, "insufficient-scope").await;
    assert_eq!(
        server.delete(&format!("/auth/region/administrators/{id}"), &acme.api_key.token).await.status(),
        StatusCode::NO_CONTENT
    );

    let audit: Value = server.get("/auth/region/audit-events", &acme.api_key.token).await.json().await.unwrap();
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(&actions[..2], ["administrator.revoked", "administrator.granted"]);
    assert_eq!(audit[0]["actor"]["type"], "key");
    assert_eq!(audit[0]["change"]["email"], "ann@example.org");

    let openapi: Value =
        server.client.get(format!("{}/openapi.json", server.url)).send().await.unwrap().json().await.unwrap();
    assert!(openapi["paths"]["/auth/region/administrators"]["post"].is_object());
    assert!(openapi["paths"]["/auth/region/administrators/{id}"]["delete"].is_object());
}

#[tokio::test]
async fn tokens_that_do_not_verify_are_refused_readably_and_create_nothing() {
    let provider = start_provider().await;
    let server = keyward_with(&provider).await;
    let acme = server.region("acme").await;
    grant(&server, "acme", "ann@example.org", "keys:write").await;
    let cases: Vec<(&str, Bend, StatusCode, &str)> = vec![
        (
            "signed with another key",
            Bend { other_key: true, ..Default::default() },
            StatusCode::UNAUTHORIZED,
            "could not be verified",
        ),
        (
            "another issuer",
            Bend { issuer: Some("https://evil.example".into()), ..Default::default() },
            StatusCode::UNAUTHORIZED,
            "could not be verified",
        ),
        (
            "another audience",
            Bend { audience: Some("someone-else".into()), ..Default::default() },
            StatusCode::UNAUTHORIZED,
            "could not be verified",
        ),
        (
            "another nonce",
            Bend { nonce: Some("replayed-nonce".into()), ..Default::default() },
            StatusCode::UNAUTHORIZED,
            "could not be verified",
        ),
        ("expired", Bend { expired: true, ..Default::default() }, StatusCode::UNAUTHORIZED, "could not be verified"),
        (
            "unverified email",
            Bend { email_verified: Some(false), ..Default::default() },
            StatusCode::UNAUTHORIZED,
            "not verified",
        ),
        (
            "no grant",
            Bend { email: Some("eve@example.org".into()), ..Default::default() },
            StatusCode::FORBIDDEN,
            "no region lets this account",
        ),
    ];
    for (case, bend, status, says) in cases {
        *provider.bend.lock().unwrap() = bend;
        let response = finish(&begin(&server).await).await;
        assert_eq!(response.status(), status, "{case}");
        assert!(cookies(&response).iter().all(|c| !c.starts_with("keyward_session=")), "{case}: no session cookie");
        let page = response.text().await.unwrap();
        assert!(page.contains(says), "{case}: {page}");
        assert!(!page.contains("the-code") && !page.contains("eyJ"), "{case}: no code or token on the page");
        assert_eq!(sessions(&server).await, 0, "{case}: no session");
    }
    // Of these, only the unverified email named someone a region grants:
    // that region's log has it, with who was named and from where.
    let others = server.region("others").await;
    let refusals = "/auth/region/audit-events?action=console.sign_in_refused";
    let heard: Value = server.get(refusals, &others.api_key.token).await.json().await.unwrap();
    assert_eq!(heard, json!([]), "a region without the grant hears of nothing");
    let refused: Value = server.get(refusals, &acme.api_key.token).await.json().await.unwrap();
    let refused = refused.as_array().unwrap();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["actor"], Value::Null);
    assert_eq!(refused[0]["client_address"], "127.0.0.1");
    let change = &refused[0]["change"];
    assert_eq!(change["email"], "ann@example.org");
    assert_eq!(change["subject"], "person-ann-1");
    assert_eq!(change["reason"], "email_unverified");
}

/// Each begun sign-in is a row: one address begins only so many per
/// window (the key failures' limit), then gets a readable 429.
#[tokio::test]
async fn one_address_begins_only_so_many_sign_ins() {
    let provider = start_provider().await;
    let server = keyward_with(&provider).await;
    let limit = domain::ThrottleLimits::default().per_address;
    let login = || no_redirects().get(format!("{}/auth/oidc/login", server.url)).send();
    for _ in 0..limit {
        assert_eq!(login().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
    let refused = login().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(cookies(&refused).is_empty(), "no attempt begun");
    assert!(refused.text().await.unwrap().contains("Too many sign-ins"));
}

/// The database away is Keyward's trouble, not the person's: a readable
/// 503 that says to try again, never a 500 (Postgres: a proxy cuts it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_while_the_database_is_away_is_a_503_to_try_again() {
    let provider = start_provider().await;
    let db = TestDb::fresh().await;
    let Some((proxy, proxied)) = common::DbProxy::in_front_of(&db).await else { return };
    let keyward = common::keyward_at(&proxied, domain::ThrottleLimits::default()).await;
    let server = TestServer::serve_state(state_with(&provider, keyward), db).await;
    proxy.cut();
    let away = no_redirects().get(format!("{}/auth/oidc/login", server.url)).send().await.unwrap();
    assert_eq!(away.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(away.headers()["retry-after"], "1");
    assert!(away.text().await.unwrap().contains("cannot reach its database"));
    proxy.restore();
    testkit::eventually(std::time::Duration::from_secs(30), || async {
        let login = no_redirects().get(format!("{}/auth/oidc/login", server.url)).send().await.unwrap();
        (login.status() == StatusCode::SEE_OTHER).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_replayed_forged_or_foreign_state_is_refused_and_creates_nothing() {
    let provider = start_provider().await;
    let server = keyward_with(&provider).await;
    server.region("acme").await;
    grant(&server, "acme", "ann@example.org", "keys:write").await;

    // Forged: a state Keyward never issued.
    let flow = begin(&server).await;
    let forged =
        Flow { callback: replace_state(&flow.callback, "forged-state"), attempt_cookie: flow.attempt_cookie.clone() };
    let response = finish(&forged).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("already used, has expired, or was started in another browser"));

    // From another browser: the right state without the attempt's cookie.
    let other_browser =
        Flow { callback: flow.callback.clone(), attempt_cookie: "keyward_oidc=someone-elses".to_owned() };
    assert_eq!(finish(&other_browser).await.status(), StatusCode::BAD_REQUEST);
    // The attempt was used up by that try: the real browser must start again.
    assert_eq!(finish(&flow).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(sessions(&server).await, 0);

    // Replayed: a callback that succeeded, sent again.
    let flow = begin(&server).await;
    assert_eq!(finish(&flow).await.status(), StatusCode::SEE_OTHER);
    let replayed = finish(&flow).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    assert!(cookies(&replayed).iter().all(|c| !c.starts_with("keyward_session=")));
    assert_eq!(sessions(&server).await, 1, "only the first callback opened a session");
}

#[tokio::test]
async fn a_person_with_grants_in_several_regions_chooses_one() {
    let provider = start_provider().await;
    let server = keyward_with(&provider).await;
    let acme = server.region("acme").await;
    server.region("globex").await;
    grant(&server, "acme", "ann@example.org", "keys:read").await;
    grant(&server, "globex", "ann@example.org", "keys:write").await;

    let response = finish(&begin(&server).await).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/choose-region");
    let choice = cookies(&response).into_iter().find(|c| c.starts_with("keyward_choice=")).expect("a choice cookie");
    assert_eq!(sessions(&server).await, 0, "no session before the choice");

    let regions = console_call(&server.url, "load_region_choice", &choice).await;
    assert_eq!(regions.status(), StatusCode::OK);
    let regions: Value = regions.json().await.unwrap();
    let names: Vec<&str> =
        regions["regions"].as_array().unwrap().iter().map(|r| r["region"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["acme", "globex"]);

    // Two choices at once with one cookie (a double click, a replay): one session.
    let choose = |region_id: String| {
        let request = server.client.post(format!("{}/api/choose_region", server.url));
        let request = request.header("sec-fetch-site", "same-origin").header("cookie", &choice);
        request.form(&[("region_id", region_id)]).send()
    };
    let (first, second) = tokio::join!(choose(acme.region.id.to_string()), choose(acme.region.id.to_string()));
    let mut answers = [first.unwrap(), second.unwrap()];
    answers.sort_by_key(reqwest::Response::status);
    let [chosen, refused] = answers;
    assert_eq!((chosen.status(), refused.status()), (StatusCode::OK, StatusCode::UNAUTHORIZED));
    assert_eq!(sessions(&server).await, 1);
    let session = cookies(&chosen).into_iter().find(|c| c.starts_with("keyward_session=")).expect("a session");
    let dashboard: Value = console_call(&server.url, "load_dashboard", &session).await.json().await.unwrap();
    assert_eq!(dashboard["overview"]["name"], "acme");
    assert_eq!(dashboard["overview"]["signed_in_as"]["scopes"], json!(["keys:read"]));
    // The choice is used up.
    assert_eq!(console_call(&server.url, "load_region_choice", &choice).await.status(), StatusCode::UNAUTHORIZED);
}

fn replace_state(url: &str, state: &str) -> String {
    let (base, query) = url.split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|pair| if pair.starts_with("state=") { format!("state={state}") } else { pair.to_owned() })
        .collect();
    format!("{base}?{}", query.join("&"))
}
