//! The API reference at `/docs/api` over HTTP: the page, the script that
//! starts the viewer and the viewer's files from the console build, all
//! under the reference's own strict Content-Security-Policy; and 404s when
//! the operator turned it off (the flag and its variable, on the real
//! binary, which then no longer names it at start) or the build holds no
//! viewer.

mod common;

use std::path::Path;

use common::{Process, TestServer, problem};
use domain::Settings;
use reqwest::StatusCode;
use server::AppState;
use server::console::ConsoleOptions;
use server::console::api_reference::POLICY;
use testkit::TestDb;

const BUNDLE: &str = "/* swagger-ui-bundle.js of this test's build */";
const STYLESHEET: &str = "/* swagger-ui.css of this test's build */";

/// A console build in a temp dir, with the API reference's viewer or without.
fn console_build(with_viewer: bool) -> tempfile::TempDir {
    let dist = tempfile::tempdir().expect("temp dir");
    std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html><title>console</title>").expect("index");
    if with_viewer {
        let viewer = dist.path().join("api-reference");
        std::fs::create_dir(&viewer).expect("viewer dir");
        std::fs::write(viewer.join("swagger-ui-bundle.js"), BUNDLE).expect("bundle");
        std::fs::write(viewer.join("swagger-ui.css"), STYLESHEET).expect("stylesheet");
    }
    dist
}

async fn serving(console: ConsoleOptions) -> TestServer {
    let db = TestDb::fresh().await;
    let keyward = db.keyward(Settings::default()).await;
    TestServer::serve_state(AppState { console, ..AppState::new(keyward) }, db).await
}

async fn get(url: &str) -> reqwest::Response {
    reqwest::get(url).await.expect("request")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
}

/// The `src` and `href` values of the page, as the browser would load them.
fn references(page: &str) -> Vec<&str> {
    [" src=\"", " href=\""]
        .iter()
        .flat_map(|attribute| page.split(attribute).skip(1).filter_map(|rest| rest.split('"').next()))
        .collect()
}

#[tokio::test]
async fn the_page_and_everything_it_loads_come_from_this_origin_under_a_strict_policy() {
    let dist = console_build(true);
    let server = serving(ConsoleOptions::from_dir(dist.path())).await;

    let page = get(&format!("{}/docs/api", server.url)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&page, "content-security-policy"), POLICY);
    assert_eq!(header(&page, "x-frame-options"), "DENY");
    for strict in ["default-src 'none'", "script-src 'self';", "style-src 'self';", "connect-src 'self'"] {
        assert!(POLICY.contains(strict), "{strict} in {POLICY}");
    }
    for loose in ["unsafe-inline", "unsafe-eval", "wasm-unsafe-eval", "http", "*"] {
        assert!(!POLICY.contains(loose), "{loose} in {POLICY}");
    }
    let page = page.text().await.unwrap();
    assert!(!page.contains("<script>") && !page.contains("<style") && !page.contains(" style="), "{page}");

    // Every script and stylesheet is this server's, with the same policy.
    let loaded: Vec<&str> = references(&page).into_iter().filter(|path| path.starts_with("/docs/api/")).collect();
    assert_eq!(loaded.len(), 3, "{page}");
    for path in loaded {
        let response = get(&format!("{}{path}", server.url)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "content-security-policy"), POLICY, "{path}");
        let body = response.text().await.unwrap();
        match path.rsplit('/').next().unwrap() {
            "swagger-ui-bundle.js" => assert_eq!(body, BUNDLE),
            "swagger-ui.css" => assert_eq!(body, STYLESHEET),
            "start.js" => assert!(body.contains("url: '/openapi.json'"), "{body}"),
            other => panic!("the page loads an unexpected file: {other}"),
        }
    }
    // The document it draws.
    assert_eq!(get(&format!("{}/openapi.json", server.url)).await.status(), StatusCode::OK);

    // Nothing else of the build, and no fallback to the console's page.
    for path in ["/docs/api/index.html", "/docs/api/nope.js", "/docs/api/a/b", "/docs/api/..%2Findex.html"] {
        problem(get(&format!("{}{path}", server.url)).await, StatusCode::NOT_FOUND, "no-route").await;
    }
}

#[tokio::test]
async fn a_build_without_the_viewer_has_no_reference() {
    let dist = console_build(false);
    let console = ConsoleOptions::from_dir(dist.path());
    assert!(console.is_served() && !console.serves_api_reference());
    let server = serving(console).await;
    for path in ["/docs/api", "/docs/api/start.js"] {
        problem(get(&format!("{}{path}", server.url)).await, StatusCode::NOT_FOUND, "no-route").await;
    }
}

/// `--no-api-reference` and `KEYWARD_NO_API_REFERENCE`, on the real binary:
/// the reference is gone, its document stays.
#[tokio::test]
async fn the_operator_turns_it_off_with_the_flag_or_its_variable() {
    let dist = console_build(true);
    let console_dir = dist.path().to_str().unwrap();
    let db = TestDb::fresh().await;
    let serve = |extra: &[&str], env: &[(&str, &str)]| {
        Process::serve_with_env(&db.url, &[&["--no-bootstrap", "--console-dir", console_dir], extra].concat(), env)
    };
    let on = serve(&[], &[]);
    assert_eq!(get(&format!("{}/docs/api", on.url)).await.status(), StatusCode::OK);
    assert!(on.printed().contains(&format!("API reference: {}/docs/api", on.url)), "{}", on.printed());
    drop(on);
    for off in [serve(&["--no-api-reference"], &[]), serve(&[], &[("KEYWARD_NO_API_REFERENCE", "true")])] {
        for path in ["/docs/api", "/docs/api/start.js", "/docs/api/swagger-ui-bundle.js"] {
            problem(get(&format!("{}{path}", off.url)).await, StatusCode::NOT_FOUND, "no-route").await;
        }
        assert_eq!(get(&format!("{}/openapi.json", off.url)).await.status(), StatusCode::OK);
        assert_eq!(get(&format!("{}/", off.url)).await.status(), StatusCode::OK, "the console stays");
        assert!(!off.printed().contains("API reference"), "{}", off.printed());
    }
    assert!(Path::new(console_dir).join("api-reference/swagger-ui.css").is_file());
}
