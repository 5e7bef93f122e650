//! Which HTTP version a connection speaks, known within a time limit.
//! hyper-util's own detection waits for bytes with no limit, so a client
//! that sends part of the HTTP/2 preface and stops would hold its slot.

use std::io::Cursor;
use std::time::Duration;

use tokio::io::{AsyncReadExt, Chain, Join};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// What every HTTP/2 client sends first (h2c with prior knowledge).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Http1,
    Http2,
}

/// The stream with the bytes already read put back in front.
pub type Replayed = Join<Chain<Cursor<Vec<u8>>, OwnedReadHalf>, OwnedWriteHalf>;

/// Reads until the first bytes are HTTP/2's preface or something else;
/// `None` when the client closes or has not said within `limit`. An
/// HTTP/1 request differs by its second byte at the latest, so only an
/// HTTP/2 client (or a stalling one) is read for long.
pub async fn detect(mut stream: TcpStream, limit: Duration) -> Option<(Version, Replayed)> {
    let mut read = Vec::with_capacity(H2_PREFACE.len());
    let version = tokio::time::timeout(limit, async {
        loop {
            let mut chunk = [0u8; H2_PREFACE.len()];
            let wanted = H2_PREFACE.len() - read.len();
            let count = stream.read(&mut chunk[..wanted]).await.ok()?;
            if count == 0 {
                return None;
            }
            read.extend_from_slice(&chunk[..count]);
            if !H2_PREFACE.starts_with(&read) {
                return Some(Version::Http1);
            }
            if read.len() == H2_PREFACE.len() {
                return Some(Version::Http2);
            }
        }
    })
    .await
    .ok()??;
    Some((version, replay(read, stream)))
}

/// hyper reads `read` again, then the rest of the stream.
fn replay(read: Vec<u8>, stream: TcpStream) -> Replayed {
    let (reader, writer) = stream.into_split();
    tokio::io::join(Cursor::new(read).chain(reader), writer)
}
