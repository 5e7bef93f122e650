//! Connections within bounds, on the real binary: slow and idle clients
//! are closed over HTTP/1 and HTTP/2 alike, at most so many connections
//! are served at once and one client holds only its share of them, and a
//! shutdown does not wait for a client that never finishes.

mod common;

use std::time::{Duration, Instant};

use common::Process;
use http_body_util::Empty;
use hyper::body::Bytes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use testkit::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn address(process: &Process) -> String {
    process.url.trim_start_matches("http://").to_owned()
}

/// A connection from `source`: every 127.x.y.z is this machine's loopback,
/// so one test can be several clients.
async fn connect_from(source: &str, process: &Process) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(address(process).parse().unwrap()).await.unwrap()
}

/// What an HTTP/2 client sends first: the preface and its SETTINGS frame
/// (empty: 9 bytes of frame header, type 4, stream 0).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const EMPTY_SETTINGS: [u8; 9] = [0, 0, 0, 4, 0, 0, 0, 0, 0];

/// The value of `id` in the SETTINGS frame the server sent first.
fn server_setting(received: &[u8], id: u16) -> Option<u32> {
    let (header, rest) = received.split_at_checked(9)?;
    assert_eq!(header[3], 4, "the server's first frame is SETTINGS: {received:?}");
    let length = usize::from(header[1]) << 8 | usize::from(header[2]);
    rest.get(..length)?.chunks_exact(6).find_map(|setting| {
        (u16::from_be_bytes([setting[0], setting[1]]) == id)
            .then(|| u32::from_be_bytes([setting[2], setting[3], setting[4], setting[5]]))
    })
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
async fn idle_partial_and_slow_http2_connections_are_closed() {
    let db = TestDb::fresh().await;
    let server = Process::serve(&db.url, &["--no-bootstrap", "--header-read-timeout-secs", "1"]);

    // The preface and SETTINGS, then nothing: no stream is ever opened.
    let mut idle = TcpStream::connect(address(&server)).await.unwrap();
    idle.write_all(&[H2_PREFACE, &EMPTY_SETTINGS].concat()).await.unwrap();
    let started = Instant::now();
    let received = until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(started.elapsed() >= Duration::from_millis(900), "not before the time-out: {:?}", started.elapsed());
    // Spoken to as HTTP/2, with a bound on the streams one connection opens.
    const SETTINGS_MAX_CONCURRENT_STREAMS: u16 = 3;
    let streams = server_setting(&received, SETTINGS_MAX_CONCURRENT_STREAMS).expect("a bound on streams");
    assert!((1..=100).contains(&streams), "{streams}");

    // Part of the preface, then nothing: which version it is never comes.
    let mut partial = TcpStream::connect(address(&server)).await.unwrap();
    partial.write_all(&H2_PREFACE[..10]).await.unwrap();
    until_closed(&mut partial, Duration::from_secs(5)).await;

    // A request's headers begun and never finished: a HEADERS frame on
    // stream 1 without END_HEADERS (GET, http, /), then no CONTINUATION.
    let mut slow = TcpStream::connect(address(&server)).await.unwrap();
    let headers = [0, 0, 3, 1, 0x1, 0, 0, 0, 1, 0x82, 0x86, 0x84];
    slow.write_all(&[H2_PREFACE, &EMPTY_SETTINGS, &headers].concat()).await.unwrap();
    until_closed(&mut slow, Duration::from_secs(5)).await;
}

#[tokio::test]
async fn http2_is_answered_and_the_idle_connection_closed() {
    let db = TestDb::fresh().await;
    let server = Process::serve(&db.url, &["--no-bootstrap", "--header-read-timeout-secs", "1"]);
    let stream = TcpStream::connect(address(&server)).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream)).await.unwrap();
    let connection = tokio::spawn(connection);

    for _ in 0..2 {
        let request = hyper::Request::get(format!("{}/healthz", server.url)).body(Empty::<Bytes>::new()).unwrap();
        let response = sender.send_request(request).await.expect("answered over HTTP/2");
        assert_eq!((response.version(), response.status()), (hyper::Version::HTTP_2, hyper::StatusCode::OK));
    }
    let started = Instant::now();
    // The client keeps its side open: only the server can end it.
    tokio::time::timeout(Duration::from_secs(5), connection)
        .await
        .expect("the server closes the idle connection in time")
        .unwrap()
        .ok();
    assert!(started.elapsed() >= Duration::from_millis(900), "not before the time-out: {:?}", started.elapsed());
    assert!(sender.is_closed());
}

#[tokio::test]
async fn one_client_holds_only_its_share_of_the_connections() {
    let db = TestDb::fresh().await;
    let limits = ["--max-connections", "4", "--max-connections-per-client", "2", "--header-read-timeout-secs", "5"];
    let server = Process::serve(&db.url, &[&["--no-bootstrap"], &limits[..]].concat());

    // 127.0.0.2 opens slow connections, up to its share and beyond.
    let mut flood = Vec::new();
    for _ in 0..6 {
        let mut slow = connect_from("127.0.0.2", &server).await;
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: keyward\r\n").await.unwrap();
        flood.push(slow);
    }

    // Another client is answered at once, long before any time-out.
    let mut other = connect_from("127.0.0.1", &server).await;
    other.write_all(b"GET /healthz HTTP/1.1\r\nHost: keyward\r\nConnection: close\r\n\r\n").await.unwrap();
    let received = until_closed(&mut other, Duration::from_secs(2)).await;
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200"), "answered while 127.0.0.2 floods");

    // The flood's connections over its share were closed, not queued...
    for over in &mut flood[2..] {
        until_closed(over, Duration::from_secs(2)).await;
    }
    // ...while its share is still served.
    let mut byte = [0u8; 1];
    for held in &mut flood[..2] {
        let read = tokio::time::timeout(Duration::from_millis(200), held.read(&mut byte)).await;
        assert!(read.is_err(), "still open: {read:?}");
    }
    common::wait_for_log(&server, "--max-connections-per-client", Duration::from_secs(5)).await;
}

#[tokio::test]
async fn connections_over_the_cap_wait_and_the_cap_is_logged_once() {
    let db = TestDb::fresh().await;
    // Both holders come from this one address, which may hold them all.
    let limits = ["--max-connections", "2", "--max-connections-per-client", "2"];
    let server = Process::serve(&db.url, &[&["--no-bootstrap"], &limits[..]].concat());
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
