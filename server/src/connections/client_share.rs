//! A share of the connection cap per client, so that one address (or one
//! IPv6 network) cannot hold every slot and leave the others waiting.
//! The client is the TCP peer, as the failure throttle groups addresses:
//! behind a reverse proxy that is the proxy, since a forwarded address is
//! only known once a request has been read, and is only as true as the
//! proxy that wrote it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

pub struct ClientShares {
    share: usize,
    ipv6_prefix: u8,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl ClientShares {
    pub fn new(share: usize, ipv6_prefix: u8) -> Arc<Self> {
        Arc::new(Self { share, ipv6_prefix, open: Mutex::default() })
    }

    /// A slot for `peer`'s client, held until dropped; `Err` with the
    /// client when it already holds its share.
    pub fn take(self: &Arc<Self>, peer: IpAddr) -> Result<ClientSlot, IpAddr> {
        let client = domain::client_network(peer, self.ipv6_prefix);
        let mut open = self.open.lock().expect("never poisoned: no code panics holding it");
        let count = open.entry(client).or_default();
        if *count >= self.share {
            return Err(client);
        }
        *count += 1;
        Ok(ClientSlot { shares: self.clone(), client })
    }
}

/// One connection of a client.
pub struct ClientSlot {
    shares: Arc<ClientShares>,
    client: IpAddr,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self.shares.open.lock().expect("never poisoned: no code panics holding it");
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            // Only clients with open connections are remembered.
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}
