//! `KeyService` rules that no HTTP test can reach deterministically, against
//! a real database (see `common`).

mod common;

use common::{CLIENT, default_fixture};
use domain::Error;

/// A request authenticates, then its key is revoked before it writes: the
/// write is refused as unauthenticated and changes nothing.
#[tokio::test]
async fn a_key_revoked_while_its_request_is_in_flight_changes_nothing() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let revoked = f.keys.authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let other = f.keys.create_key(&revoked, Some("other".into()), None).await.unwrap();
    let other = f.keys.authenticate(&other.token, CLIENT).await.unwrap();
    let spare = f.keys.create_key(&other, Some("spare".into()), None).await.unwrap().key;
    f.keys.delete_key(&other, &revoked.key_id, None).await.unwrap();
    let before = f.keys.overview(&other).await.unwrap().api_keys;

    let refused = [
        f.keys.create_key(&revoked, None, None).await.err(),
        f.keys.update_description(&revoked, &spare.id, Some("renamed".into())).await.err(),
        f.keys.delete_key(&revoked, &spare.id, None).await.err(),
        f.keys.start_rotation(&revoked, &spare.id, None).await.err(),
    ];
    for error in refused {
        assert!(matches!(error, Some(Error::Unauthenticated)), "{error:?}");
    }
    assert_eq!(f.keys.overview(&other).await.unwrap().api_keys, before);
    assert_eq!(f.keys.current_rotation(&other).await.unwrap(), None);
}
