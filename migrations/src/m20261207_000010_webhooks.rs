use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Where a region's events are sent, signed with a secret of its own.
#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    RegionId,
    Url,
    /// A JSON array of event types, or `["*"]`.
    Events,
    Description,
    Enabled,
    /// `whsec_…`: kept to sign, never shown again after it is made.
    Secret,
    /// The secret before the last rotation, which signs too until
    /// `previous_secret_until`.
    PreviousSecret,
    PreviousSecretUntil,
    /// Since when every delivery failed; null while the last one succeeded.
    FailingSince,
    /// Why it was disabled (`failing`, or by an administrator), when it was.
    DisabledReason,
    CreatedAt,
    UpdatedAt,
}

/// One event for one endpoint, written in the transaction of the change
/// it reports, deleted 30 days after it was delivered or given up.
#[derive(DeriveIden)]
enum WebhookMessages {
    Table,
    /// `msg_…`: the `webhook-id` of every attempt.
    Id,
    EndpointId,
    RegionId,
    EventType,
    /// The key the event is about, if any.
    SubjectKeyId,
    /// The JSON body, signed as it is.
    Body,
    CreatedAt,
    /// `pending`, `delivered` or `failed`.
    State,
    Attempts,
    /// When the next attempt is due (pending only).
    NextAttemptAt,
    /// The process delivering it and until when it may; another process
    /// takes it only after that.
    ClaimedBy,
    ClaimedUntil,
}

/// Every attempt to deliver a message.
#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    MessageId,
    EndpointId,
    Attempt,
    At,
    /// The receiver's HTTP status, if it answered.
    Status,
    /// Why it failed otherwise (time-out, refused address, …).
    Error,
    DurationMs,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(string(WebhookEndpoints::Id).primary_key())
                    .col(string(WebhookEndpoints::RegionId))
                    .col(text(WebhookEndpoints::Url))
                    .col(text(WebhookEndpoints::Events))
                    .col(string_null(WebhookEndpoints::Description))
                    .col(boolean(WebhookEndpoints::Enabled))
                    .col(string(WebhookEndpoints::Secret))
                    .col(string_null(WebhookEndpoints::PreviousSecret))
                    .col(timestamp_with_time_zone_null(WebhookEndpoints::PreviousSecretUntil))
                    .col(timestamp_with_time_zone_null(WebhookEndpoints::FailingSince))
                    .col(string_null(WebhookEndpoints::DisabledReason))
                    .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookEndpoints::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookEndpoints::Table, WebhookEndpoints::RegionId)
                            .to(Regions::Table, Regions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookMessages::Table)
                    .col(string(WebhookMessages::Id).primary_key())
                    .col(string(WebhookMessages::EndpointId))
                    .col(string(WebhookMessages::RegionId))
                    .col(string(WebhookMessages::EventType))
                    .col(string_null(WebhookMessages::SubjectKeyId))
                    .col(text(WebhookMessages::Body))
                    .col(timestamp_with_time_zone(WebhookMessages::CreatedAt))
                    .col(string_len(WebhookMessages::State, 10))
                    .col(integer(WebhookMessages::Attempts))
                    .col(timestamp_with_time_zone(WebhookMessages::NextAttemptAt))
                    .col(string_null(WebhookMessages::ClaimedBy))
                    .col(timestamp_with_time_zone_null(WebhookMessages::ClaimedUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_messages_due")
                    .table(WebhookMessages::Table)
                    .col(WebhookMessages::State)
                    .col(WebhookMessages::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_messages_endpoint")
                    .table(WebhookMessages::Table)
                    .col(WebhookMessages::EndpointId)
                    .col(WebhookMessages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(big_pk_auto(WebhookAttempts::Id))
                    .col(string(WebhookAttempts::MessageId))
                    .col(string(WebhookAttempts::EndpointId))
                    .col(integer(WebhookAttempts::Attempt))
                    .col(timestamp_with_time_zone(WebhookAttempts::At))
                    .col(integer_null(WebhookAttempts::Status))
                    .col(string_null(WebhookAttempts::Error))
                    .col(big_integer(WebhookAttempts::DurationMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_attempts_endpoint")
                    .table(WebhookAttempts::Table)
                    .col(WebhookAttempts::EndpointId)
                    .col(WebhookAttempts::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebhookAttempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookMessages::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookEndpoints::Table).to_owned()).await
    }
}
