//! The start of every change a caller makes: a write transaction under its
//! region's lock, with the caller's key read again.

use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::caller::Caller;
use crate::error::{Error, Result};
use crate::store::{database, find_key_in_region, lock_region};

/// A write transaction on behalf of `caller` holding its region's write
/// lock (`FOR UPDATE` on Postgres, `BEGIN IMMEDIATE` on SQLite). The
/// caller's key is read again under the lock, so a request whose key was
/// revoked while it was in flight changes nothing.
pub(crate) async fn begin_change(db: &DatabaseConnection, caller: &Caller) -> Result<DatabaseTransaction> {
    let txn = database::begin_write(db).await?;
    lock_region(&txn, &caller.region().id).await?;
    match find_key_in_region(&txn, &caller.region().id, caller.key_id()).await? {
        Some(_) => Ok(txn),
        None => Err(Error::Unauthenticated),
    }
}
