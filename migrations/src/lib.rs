//! The schema, one migration per change, each with a real `down`.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_regions_and_api_keys;
mod m20261127_000002_console_sessions_and_rotations;
mod m20261127_000003_audit_events;
mod m20261127_000004_serving_processes;
mod m20261127_000005_scopes_and_scheduled_revocation;
mod m20261127_000006_leak_quarantine;
mod m20261127_000007_key_usage;
mod m20261207_000008_key_change_log;
mod m20261207_000009_policy;
mod m20261207_000010_webhooks;
mod m20261207_000011_administrators;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_regions_and_api_keys::Migration),
            Box::new(m20261127_000002_console_sessions_and_rotations::Migration),
            Box::new(m20261127_000003_audit_events::Migration),
            Box::new(m20261127_000004_serving_processes::Migration),
            Box::new(m20261127_000005_scopes_and_scheduled_revocation::Migration),
            Box::new(m20261127_000006_leak_quarantine::Migration),
            Box::new(m20261127_000007_key_usage::Migration),
            Box::new(m20261207_000008_key_change_log::Migration),
            Box::new(m20261207_000009_policy::Migration),
            Box::new(m20261207_000010_webhooks::Migration),
            Box::new(m20261207_000011_administrators::Migration),
        ]
    }
}
