//! `last_used_at` is noted in memory and flushed in batches: what a flush
//! must never lose or overwrite, against a real database (see `testkit`).

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use domain::Settings;
use domain::model::KeyId;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use testkit::entity::api_key;
use testkit::{CLIENT, fixture};

async fn last_used_at(db: &DatabaseConnection, key_id: &KeyId) -> Option<DateTime<Utc>> {
    api_key::Entity::find_by_id(key_id.clone()).one(db).await.unwrap().unwrap().last_used_at
}

/// A fresh database with a key whose use is noted but not yet written.
async fn a_used_key() -> (testkit::Fixture, KeyId) {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    (f, created.api_key.key.id)
}

#[tokio::test]
async fn a_failed_flush_keeps_its_uses_for_the_next() {
    let (f, key_id) = a_used_key().await;

    // The table is away: the flush fails as a database outage would.
    f.db.execute_unprepared("ALTER TABLE api_keys RENAME TO api_keys_away").await.unwrap();
    assert!(f.keyward.flush_usage().await.is_err());
    f.db.execute_unprepared("ALTER TABLE api_keys_away RENAME TO api_keys").await.unwrap();
    assert_eq!(last_used_at(&f.db, &key_id).await, None);

    assert_eq!(f.keyward.flush_usage().await.unwrap(), 1);
    assert!(last_used_at(&f.db, &key_id).await.is_some());
    assert_eq!(f.keyward.flush_usage().await.unwrap(), 0, "written once");
}

#[tokio::test]
async fn an_earlier_use_never_overwrites_a_later_one() {
    let (f, key_id) = a_used_key().await;

    // Another process flushed a later use first.
    let later = (Utc::now() + TimeDelta::minutes(5)).trunc_subsecs(6);
    let row = api_key::Entity::find_by_id(key_id.clone()).one(&f.db).await.unwrap().unwrap();
    let mut row: api_key::ActiveModel = row.into();
    row.last_used_at = Set(Some(later));
    row.update(&f.db).await.unwrap();

    f.keyward.flush_usage().await.unwrap();
    assert_eq!(last_used_at(&f.db, &key_id).await, Some(later));
}
