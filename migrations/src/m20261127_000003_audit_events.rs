use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Seq,
    RegionId,
    Action,
    ApiKeyId,
    ApiKeyPreview,
    ActorApiKeyId,
    ClientAddress,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    // Insertion order, which timestamps alone do not give within a microsecond.
                    .col(big_pk_auto(AuditEvents::Seq))
                    .col(string(AuditEvents::RegionId))
                    .col(string(AuditEvents::Action))
                    // No foreign keys to api_keys: the record outlives the keys it names.
                    .col(string_null(AuditEvents::ApiKeyId))
                    .col(string_null(AuditEvents::ApiKeyPreview))
                    .col(string_null(AuditEvents::ActorApiKeyId))
                    .col(string_null(AuditEvents::ClientAddress))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_audit_events_region_id")
                            .from(AuditEvents::Table, AuditEvents::RegionId)
                            .to(Regions::Table, Regions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_region_id_seq")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::RegionId)
                    .col(AuditEvents::Seq)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditEvents::Table).to_owned()).await
    }
}
