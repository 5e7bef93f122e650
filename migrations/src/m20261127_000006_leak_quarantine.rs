use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    /// JSON: where and when the key was found in public; null while it was not.
    Quarantine,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
}

/// What is left of a deleted key: enough to recognise its token when it is
/// reported as leaked later ("it was a key here"), never to accept it.
#[derive(DeriveIden)]
enum RetiredApiKeys {
    Table,
    Lookup,
    SecretHash,
    RegionId,
    ApiKeyId,
    RetiredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(ApiKeys::Table).add_column(text_null(ApiKeys::Quarantine)).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RetiredApiKeys::Table)
                    .col(string(RetiredApiKeys::Lookup).primary_key())
                    .col(string(RetiredApiKeys::SecretHash))
                    .col(string(RetiredApiKeys::RegionId))
                    .col(string(RetiredApiKeys::ApiKeyId))
                    .col(timestamp_with_time_zone(RetiredApiKeys::RetiredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_retired_api_keys_region_id")
                            .from(RetiredApiKeys::Table, RetiredApiKeys::RegionId)
                            .to(Regions::Table, Regions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RetiredApiKeys::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(ApiKeys::Table).drop_column(ApiKeys::Quarantine).to_owned()).await
    }
}
