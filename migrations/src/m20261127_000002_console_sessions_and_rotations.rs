use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConsoleSessions {
    Table,
    IdHash,
    ApiKeyId,
    CreatedAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum Rotations {
    Table,
    Id,
    RegionId,
    OldKeyId,
    NewKeyId,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleSessions::Table)
                    // SHA-256 of the session id (hex): the id itself is never stored.
                    .col(string(ConsoleSessions::IdHash).primary_key())
                    .col(string(ConsoleSessions::ApiKeyId))
                    .col(timestamp_with_time_zone(ConsoleSessions::CreatedAt))
                    .col(timestamp_with_time_zone(ConsoleSessions::LastSeenAt))
                    // Deleting a key ends every session signed in with it, in one place.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_console_sessions_api_key_id")
                            .from(ConsoleSessions::Table, ConsoleSessions::ApiKeyId)
                            .to(ApiKeys::Table, ApiKeys::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_console_sessions_api_key_id")
                    .table(ConsoleSessions::Table)
                    .col(ConsoleSessions::ApiKeyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Rotations::Table)
                    .col(string(Rotations::Id).primary_key())
                    .col(string(Rotations::RegionId))
                    // Null once the key is gone: the rotation's record outlives its keys.
                    .col(string_null(Rotations::OldKeyId))
                    .col(string_null(Rotations::NewKeyId))
                    .col(timestamp_with_time_zone(Rotations::StartedAt))
                    .col(timestamp_with_time_zone_null(Rotations::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rotations_region_id")
                            .from(Rotations::Table, Rotations::RegionId)
                            .to(Regions::Table, Regions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rotations_old_key_id")
                            .from(Rotations::Table, Rotations::OldKeyId)
                            .to(ApiKeys::Table, ApiKeys::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rotations_new_key_id")
                            .from(Rotations::Table, Rotations::NewKeyId)
                            .to(ApiKeys::Table, ApiKeys::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_rotations_region_id")
                    .table(Rotations::Table)
                    .col(Rotations::RegionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Rotations::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ConsoleSessions::Table).to_owned()).await
    }
}
