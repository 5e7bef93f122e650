//! Connections within bounds, on the real binary: slow and idle clients
//! are closed, at most so many connections are served at once, and a
//! shutdown does not wait for a client that never finishes.

mod common;

use std::time::{Duration, Instant};

use common::Process;
use testkit::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn address(process: &Process) -> String {
    process.url.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; what it sent.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut received))
        .await
        .expect("the server closes the connection in time")
        .ok();
    received
}

#[tokio::test]
async fn slow_silent_stalled_and_idle_connections_are_closed() {
    let db = TestDb::fresh().await;
    let server = Process::serve(&db.url, &["--no-bootstrap", "--header-read-timeout-secs", "1"]);

    let mut slow = TcpStream::connect(address(&server)).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: keyward\r\n").await.unwrap();
    let started = Instant::now();
    until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(started.elapsed() >= Duration::from_millis(900), "not before the time-out: {:?}", started.elapsed());

    // Connected, and nothing sent at all.
    let mut silent = TcpStream::connect(address(&server)).await.unwrap();
    until_closed(&mut silent, Duration::from_secs(5)).await;

    // Headers complete, and the body stops coming.
    let mut stalled = TcpStream::connect(address(&server)).await.unwrap();
    let head =
        "POST /auth/verify HTTP/1.1\r\nHost: keyward\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    stalled.write_all(head.as_bytes()).await.unwrap();
    until_closed(&mut stalled, Duration::from_secs(5)).await;

    let mut idle = TcpStream::connect(address(&server)).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: keyward\r\n\r\n").await.unwrap();
    let received = until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200"), "answered, then closed when idle");
}

#[tokio::test]
async fn connections_over_the_cap_wait_and_the_cap_is_logged_once() {
    let db = TestDb::fresh().await;
    let server = Process::serve(&db.url, &["--no-bootstrap", "--max-connections", "2"]);
    let holders =
        [TcpStream::connect(address(&server)).await.unwrap(), TcpStream::connect(address(&server)).await.unwrap()];
    // Both are taken up before the third comes.
    common::wait_for_log(&server, "connection limit reached", Duration::from_secs(5)).await;

    let mut waiting = TcpStream::connect(address(&server)).await.unwrap();
    waiting.write_all(b"GET /healthz HTTP/1.1\r\nHost: keyward\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut first = [0u8; 12];
    let early = tokio::time::timeout(Duration::from_millis(500), waiting.read_exact(&mut first)).await;
    assert!(early.is_err(), "not served while two connections are open");
    drop(holders);
    let received = until_closed(&mut waiting, Duration::from_secs(5)).await;
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200"), "served once one closed");
    assert_eq!(server.logs().matches("connection limit reached").count(), 1, "{}", server.logs());
}

#[tokio::test]
async fn a_shutdown_waits_for_an_unfinished_request_only_so_long() {
    let db = TestDb::fresh().await;
    let server = Process::serve(&db.url, &["--no-bootstrap", "--shutdown-grace-secs", "1"]);
    let mut unfinished = TcpStream::connect(address(&server)).await.unwrap();
    unfinished.write_all(b"POST /auth/verify HTTP/1.1\r\nHost: keyward\r\nContent-Length: 100\r\n\r\n{").await.unwrap();
    let started = Instant::now();
    let status = tokio::task::spawn_blocking(move || server.terminate()).await.unwrap();
    assert!(status.success(), "a clean stop");
    assert!(started.elapsed() < Duration::from_secs(5), "stopped after {:?}", started.elapsed());
}
