use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Where each key's last use (accepted, or refused for a scope) came from.
#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    LastClientAddress,
    LastUserAgent,
    LastRequestMethod,
    LastRequestPath,
}

/// Requests per key and bucket (a minute or an hour), by outcome. No
/// foreign keys: a deleted key's traffic stays for its charts until it ages
/// out, and a flush never fails for a key deleted meanwhile.
#[derive(DeriveIden)]
enum KeyUsage {
    Table,
    KeyId,
    Resolution,
    StartsAt,
    RegionId,
    Accepted,
    Invalid,
    InsufficientScope,
    Throttled,
}

const LAST_USE_COLUMNS: [ApiKeys; 4] =
    [ApiKeys::LastClientAddress, ApiKeys::LastUserAgent, ApiKeys::LastRequestMethod, ApiKeys::LastRequestPath];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        for column in LAST_USE_COLUMNS {
            manager
                .alter_table(Table::alter().table(ApiKeys::Table).add_column(string_null(column)).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(KeyUsage::Table)
                    .col(string(KeyUsage::KeyId))
                    .col(string(KeyUsage::Resolution))
                    .col(timestamp_with_time_zone(KeyUsage::StartsAt))
                    .col(string(KeyUsage::RegionId))
                    .col(big_integer(KeyUsage::Accepted))
                    .col(big_integer(KeyUsage::Invalid))
                    .col(big_integer(KeyUsage::InsufficientScope))
                    .col(big_integer(KeyUsage::Throttled))
                    .primary_key(Index::create().col(KeyUsage::KeyId).col(KeyUsage::Resolution).col(KeyUsage::StartsAt))
                    .to_owned(),
            )
            .await?;
        // A region's chart, and pruning by age.
        manager
            .create_index(
                Index::create()
                    .name("ix_key_usage_region")
                    .table(KeyUsage::Table)
                    .col(KeyUsage::RegionId)
                    .col(KeyUsage::Resolution)
                    .col(KeyUsage::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_key_usage_age")
                    .table(KeyUsage::Table)
                    .col(KeyUsage::Resolution)
                    .col(KeyUsage::StartsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KeyUsage::Table).to_owned()).await?;
        for column in LAST_USE_COLUMNS {
            manager.alter_table(Table::alter().table(ApiKeys::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
