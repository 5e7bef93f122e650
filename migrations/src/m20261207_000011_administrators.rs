use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
}

/// People allowed into a region's console, by the email their identity
/// provider verified.
#[derive(DeriveIden)]
enum Administrators {
    Table,
    Id,
    RegionId,
    /// Lower case; unique per region.
    Email,
    /// Space-separated: `keys:read` or `keys:write`.
    Scopes,
    CreatedAt,
}

/// A person's console session in one region, held by their grant:
/// revoking the grant deletes it (`ON DELETE CASCADE`).
#[derive(DeriveIden)]
enum PersonSessions {
    Table,
    IdHash,
    AdministratorId,
    /// The identity provider's `sub`.
    Subject,
    Name,
    CreatedAt,
    LastSeenAt,
}

/// An OpenID Connect sign-in on its way to the identity provider: found by
/// the SHA-256 of its `state`, bound to the browser that began it, used once.
#[derive(DeriveIden)]
enum OidcAttempts {
    Table,
    StateHash,
    BrowserHash,
    PkceVerifier,
    Nonce,
    CreatedAt,
}

/// A person the identity provider vouched for, choosing one of their regions.
#[derive(DeriveIden)]
enum PersonSignIns {
    Table,
    IdHash,
    Subject,
    Email,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    /// JSON `{"email", "subject", "name"}` when a person acted.
    ActorPerson,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Administrators::Table)
                    .col(string(Administrators::Id).primary_key())
                    .col(string(Administrators::RegionId))
                    .col(string(Administrators::Email))
                    .col(string(Administrators::Scopes))
                    .col(timestamp_with_time_zone(Administrators::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_administrators_region_id")
                            .from(Administrators::Table, Administrators::RegionId)
                            .to(Regions::Table, Regions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_administrators_region_email")
                    .table(Administrators::Table)
                    .col(Administrators::RegionId)
                    .col(Administrators::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A person's grants in every region, at sign-in.
        manager
            .create_index(
                Index::create()
                    .name("ix_administrators_email")
                    .table(Administrators::Table)
                    .col(Administrators::Email)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PersonSessions::Table)
                    .col(string(PersonSessions::IdHash).primary_key())
                    .col(string(PersonSessions::AdministratorId))
                    .col(string(PersonSessions::Subject))
                    .col(string_null(PersonSessions::Name))
                    .col(timestamp_with_time_zone(PersonSessions::CreatedAt))
                    .col(timestamp_with_time_zone(PersonSessions::LastSeenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_person_sessions_administrator_id")
                            .from(PersonSessions::Table, PersonSessions::AdministratorId)
                            .to(Administrators::Table, Administrators::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_person_sessions_administrator_id")
                    .table(PersonSessions::Table)
                    .col(PersonSessions::AdministratorId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OidcAttempts::Table)
                    .col(string(OidcAttempts::StateHash).primary_key())
                    .col(string(OidcAttempts::BrowserHash))
                    .col(string(OidcAttempts::PkceVerifier))
                    .col(string(OidcAttempts::Nonce))
                    .col(timestamp_with_time_zone(OidcAttempts::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PersonSignIns::Table)
                    .col(string(PersonSignIns::IdHash).primary_key())
                    .col(string(PersonSignIns::Subject))
                    .col(string(PersonSignIns::Email))
                    .col(string_null(PersonSignIns::Name))
                    .col(timestamp_with_time_zone(PersonSignIns::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(AuditEvents::Table).add_column(text_null(AuditEvents::ActorPerson)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(AuditEvents::Table).drop_column(AuditEvents::ActorPerson).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(PersonSignIns::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(OidcAttempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(PersonSessions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Administrators::Table).to_owned()).await
    }
}
