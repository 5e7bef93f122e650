use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    /// Space-separated; every existing key keeps doing everything (`*`).
    Scopes,
    /// When the key stops working, if scheduled.
    RevokeAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    /// JSON: the setting a change changed, before and after.
    Change,
}

/// One column per statement: SQLite alters a table one change at a time.
fn alter(table: impl IntoIden, column: ColumnDef) -> TableAlterStatement {
    Table::alter().table(table).add_column(column).to_owned()
}

fn drop_column(table: impl IntoIden, column: impl IntoIden) -> TableAlterStatement {
    Table::alter().table(table).drop_column(column).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(alter(ApiKeys::Table, string(ApiKeys::Scopes).default("*").to_owned())).await?;
        manager.alter_table(alter(ApiKeys::Table, timestamp_with_time_zone_null(ApiKeys::RevokeAt))).await?;
        manager.alter_table(alter(AuditEvents::Table, text_null(AuditEvents::Change))).await?;
        // The sweeper looks for keys that came due.
        manager
            .create_index(
                Index::create().name("ix_api_keys_revoke_at").table(ApiKeys::Table).col(ApiKeys::RevokeAt).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_api_keys_revoke_at").table(ApiKeys::Table).to_owned()).await?;
        manager.alter_table(drop_column(AuditEvents::Table, AuditEvents::Change)).await?;
        manager.alter_table(drop_column(ApiKeys::Table, ApiKeys::RevokeAt)).await?;
        manager.alter_table(drop_column(ApiKeys::Table, ApiKeys::Scopes)).await
    }
}
