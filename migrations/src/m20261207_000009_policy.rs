use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Who a key belongs to in the protected API's world; its limits and
/// credits are shared by every key it owns.
#[derive(DeriveIden)]
enum Owners {
    Table,
    Id,
    RegionId,
    /// Unique per region.
    ExternalId,
    /// A JSON object.
    Meta,
    /// A JSON array of `{name, limit, period_s}`.
    RateLimits,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    OwnerId,
    /// The key whose limits and credits this key spends (a rotation's new
    /// key the old key's, so the two never double a budget); null: its own.
    BudgetKeyId,
    Meta,
    RateLimits,
    AllowedNetworks,
}

/// The credits of a key or an owner (the holder). Processes take them in
/// steps, one atomic statement each, so none is ever spent twice.
#[derive(DeriveIden)]
enum CreditBalances {
    Table,
    /// A key's or an owner's id.
    HolderId,
    RegionId,
    Remaining,
    /// The last refill or set value: "low" is under a tenth of it.
    Baseline,
    RefillAmount,
    /// `day` or `month`, or null.
    RefillInterval,
    /// The start of the refill interval `remaining` belongs to.
    RefilledAt,
}

/// How much of each rate limit's current period the processes took, so
/// that all of them together stay within the limit.
#[derive(DeriveIden)]
enum RateWindows {
    Table,
    HolderId,
    Name,
    /// The period's start, in seconds since the Unix epoch.
    StartsAt,
    EndsAt,
    Taken,
}

#[derive(DeriveIden)]
enum KeyUsage {
    Table,
    RateLimited,
    CreditsExhausted,
    NetworkNotAllowed,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
}

const KEY_USAGE_OUTCOMES: [KeyUsage; 3] =
    [KeyUsage::RateLimited, KeyUsage::CreditsExhausted, KeyUsage::NetworkNotAllowed];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Owners::Table)
                    .col(string(Owners::Id).primary_key())
                    .col(string(Owners::RegionId))
                    .col(string(Owners::ExternalId))
                    .col(text(Owners::Meta))
                    .col(text(Owners::RateLimits))
                    .col(timestamp_with_time_zone(Owners::CreatedAt))
                    .col(timestamp_with_time_zone(Owners::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Owners::Table, Owners::RegionId)
                            .to(Regions::Table, Regions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("owners_region_external_id")
                    .table(Owners::Table)
                    .col(Owners::RegionId)
                    .col(Owners::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters a table one change at a time.
        for column in [ApiKeys::OwnerId, ApiKeys::BudgetKeyId] {
            manager
                .alter_table(Table::alter().table(ApiKeys::Table).add_column(string_null(column)).to_owned())
                .await?;
        }
        for column in [ApiKeys::Meta, ApiKeys::RateLimits, ApiKeys::AllowedNetworks] {
            let empty = if matches!(column, ApiKeys::Meta) { "{}" } else { "[]" };
            manager
                .alter_table(Table::alter().table(ApiKeys::Table).add_column(text(column).default(empty)).to_owned())
                .await?;
        }
        manager
            .create_index(Index::create().name("api_keys_owner").table(ApiKeys::Table).col(ApiKeys::OwnerId).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CreditBalances::Table)
                    .col(string(CreditBalances::HolderId).primary_key())
                    .col(string(CreditBalances::RegionId))
                    .col(big_integer(CreditBalances::Remaining))
                    .col(big_integer(CreditBalances::Baseline))
                    .col(big_integer_null(CreditBalances::RefillAmount))
                    .col(string_len_null(CreditBalances::RefillInterval, 8))
                    .col(timestamp_with_time_zone(CreditBalances::RefilledAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RateWindows::Table)
                    .col(string(RateWindows::HolderId))
                    .col(string(RateWindows::Name))
                    .col(big_integer(RateWindows::StartsAt))
                    .col(big_integer(RateWindows::EndsAt))
                    .col(big_integer(RateWindows::Taken))
                    .primary_key(
                        Index::create().col(RateWindows::HolderId).col(RateWindows::Name).col(RateWindows::StartsAt),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("rate_windows_ends_at")
                    .table(RateWindows::Table)
                    .col(RateWindows::EndsAt)
                    .to_owned(),
            )
            .await?;
        for column in KEY_USAGE_OUTCOMES {
            manager
                .alter_table(
                    Table::alter().table(KeyUsage::Table).add_column(big_integer(column).default(0)).to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in KEY_USAGE_OUTCOMES {
            manager.alter_table(Table::alter().table(KeyUsage::Table).drop_column(column).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(RateWindows::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(CreditBalances::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("api_keys_owner").table(ApiKeys::Table).to_owned()).await?;
        for column in
            [ApiKeys::AllowedNetworks, ApiKeys::RateLimits, ApiKeys::Meta, ApiKeys::BudgetKeyId, ApiKeys::OwnerId]
        {
            manager.alter_table(Table::alter().table(ApiKeys::Table).drop_column(column).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(Owners::Table).to_owned()).await
    }
}
