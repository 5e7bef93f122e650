use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every process that answers warm keys from memory holds a lease here and
/// acknowledges the key changes it has applied to its cache.
#[derive(DeriveIden)]
enum ServingProcesses {
    Table,
    Id,
    /// The database's clock, in milliseconds since the Unix epoch.
    LeaseExpiresMs,
    /// The highest key change this process has applied.
    AckedSeq,
}

/// One row: the number of the latest key change. Every change takes it
/// under a row lock, so the numbers follow commit order.
#[derive(DeriveIden)]
enum KeyChangeClock {
    Table,
    Id,
    Seq,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ServingProcesses::Table)
                    .col(string(ServingProcesses::Id).primary_key())
                    .col(big_integer(ServingProcesses::LeaseExpiresMs))
                    .col(big_integer(ServingProcesses::AckedSeq))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KeyChangeClock::Table)
                    .col(integer(KeyChangeClock::Id).primary_key())
                    .col(big_integer(KeyChangeClock::Seq))
                    .to_owned(),
            )
            .await?;
        let first = Query::insert()
            .into_table(KeyChangeClock::Table)
            .columns([KeyChangeClock::Id, KeyChangeClock::Seq])
            .values_panic([1.into(), 0.into()])
            .to_owned();
        manager.exec_stmt(first).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KeyChangeClock::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ServingProcesses::Table).to_owned()).await
    }
}
