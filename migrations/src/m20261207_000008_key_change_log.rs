use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Which keys each numbered key change touched, so that a serving process
/// applies exactly those to its verification cache instead of reloading
/// every key. Rows that every live process applied are pruned.
#[derive(DeriveIden)]
enum KeyChanges {
    Table,
    /// The change's number from `key_change_clock`.
    Seq,
    /// The public lookup part of the key's token.
    Lookup,
    /// `added`, `changed` or `removed`.
    Kind,
    /// The database's clock, in milliseconds since the Unix epoch.
    ChangedAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KeyChanges::Table)
                    .col(big_integer(KeyChanges::Seq))
                    .col(string(KeyChanges::Lookup))
                    .col(string_len(KeyChanges::Kind, 8))
                    .col(big_integer(KeyChanges::ChangedAtMs))
                    .primary_key(Index::create().col(KeyChanges::Seq).col(KeyChanges::Lookup))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KeyChanges::Table).to_owned()).await
    }
}
