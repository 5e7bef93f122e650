//! The operator's commands and how their results are printed.

use std::net::SocketAddr;

use domain::Keyward;
use domain::model::{CreatedApiKey, CreatedRegion, Environment, NewAdministrator, RegionSummary, Scopes};

use crate::cli::{AdminCommand, KeyCommand, RegionCommand};

/// Why a command failed; printed as one line on stderr, exit status 1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A setting that names something unusable, with the flag.
    #[error("{0}")]
    Config(String),
    #[error("cannot open the database: {0}")]
    Database(sea_orm::DbErr),
    #[error("cannot migrate the database: {0}")]
    Migration(sea_orm::DbErr),
    #[error("cannot listen on {address}: {source}")]
    Bind { address: SocketAddr, source: std::io::Error },
    #[error("the server failed: {0}")]
    Serve(std::io::Error),
    #[error("cannot print JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A refusal, or a failure with its cause: the operator at this terminal
    /// may see what the API keeps from its clients.
    #[error("{}{}", .0, cause(.0))]
    Domain(#[from] domain::Error),
}

/// `": <source>"` on one line, or nothing.
fn cause(error: &domain::Error) -> String {
    std::error::Error::source(error).map(|source| format!(": {source}").replace('\n', " ")).unwrap_or_default()
}

pub async fn region(keyward: &Keyward, command: RegionCommand) -> Result<(), Failure> {
    match command {
        RegionCommand::Create { name, sandbox, description, json } => {
            let environment = if sandbox { Environment::Sandbox } else { Environment::Live };
            let created = keyward.regions().create(name, environment, description).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&created)?);
            } else {
                print_created(&created);
            }
        }
        RegionCommand::List { json } => {
            let regions = keyward.regions().list().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&regions)?);
            } else {
                print_regions(&regions);
            }
        }
    }
    Ok(())
}

pub async fn admin(keyward: &Keyward, command: AdminCommand) -> Result<(), Failure> {
    match command {
        AdminCommand::Grant { region, email, scopes, json } => {
            let scopes = Scopes::new(scopes).map_err(domain::Error::from)?;
            let region = keyward.regions().find(&region).await?;
            let granted =
                keyward.administrators().grant_as_operator(&region.id, NewAdministrator { email, scopes }).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&granted)?);
            } else {
                println!(
                    "Granted {} the console of the region {:?} with {} ({}).",
                    granted.email, region.name, granted.scopes, granted.id
                );
            }
        }
        AdminCommand::Revoke { region, email } => {
            let region = keyward.regions().find(&region).await?;
            let revoked = keyward.administrators().revoke_as_operator(&region.id, &email).await?;
            println!(
                "Revoked {}'s grant to the region {:?}; their sessions there have ended.",
                revoked.email, region.name
            );
        }
        AdminCommand::List { region, json } => {
            let region = match region {
                Some(region) => Some(keyward.regions().find(&region).await?),
                None => None,
            };
            let grants = keyward.administrators().list_as_operator(region.as_ref().map(|region| &region.id)).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&grants)?);
            } else if grants.is_empty() {
                println!("No administrators granted.");
            } else {
                println!("{:<22}  {:<22}  {:<11}  EMAIL", "ID", "REGION", "SCOPES");
                for grant in grants {
                    println!("{:<22}  {:<22}  {:<11}  {}", grant.id, grant.region_id, grant.scopes, grant.email);
                }
            }
        }
    }
    Ok(())
}

pub async fn key(keyward: &Keyward, command: KeyCommand) -> Result<(), Failure> {
    match command {
        KeyCommand::Create { region, scopes, description, json } => {
            let scopes = scopes.map(Scopes::new).transpose().map_err(domain::Error::from)?;
            let region = keyward.regions().find(&region).await?;
            let created = keyward.keys().issue(&region, description, scopes).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&created)?);
            } else {
                print_issued(&created, &region.name);
            }
        }
    }
    Ok(())
}

fn print_issued(created: &CreatedApiKey, region: &str) {
    println!(
        "Issued a key in the region {region:?} with the scopes {}.\nShown only this once; store it now:\n\n    {}\n",
        created.key.scopes, created.token
    );
}

fn print_created(created: &CreatedRegion) {
    let kind = if created.region.sandbox { "sandbox" } else { "live" };
    println!(
        "Created the {kind} region {:?} ({}).\nIts first API key, shown only this once; store it now:\n\n    {}\n",
        created.region.name, created.region.id, created.api_key.token
    );
}

fn print_regions(regions: &[RegionSummary]) {
    if regions.is_empty() {
        println!("No regions yet. Create one with: keyward region create --name NAME");
        return;
    }
    println!("{:<20}  {:<24}  {:<7}  {:>4}  CREATED", "ID", "NAME", "SANDBOX", "KEYS");
    for summary in regions {
        let region = &summary.region;
        println!(
            "{:<20}  {:<24}  {:<7}  {:>4}  {}",
            region.id,
            region.name,
            if region.sandbox { "yes" } else { "no" },
            summary.api_key_count,
            region.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_failures_name_their_cause_on_one_line() {
        let failure = Failure::from(domain::Error::Database(sea_orm::DbErr::Custom("disk\nfull".to_owned())));
        assert_eq!(failure.to_string(), "database error: Custom Error: disk full");
        assert_eq!(Failure::from(domain::Error::LastKey).to_string(), domain::Error::LastKey.to_string());
    }
}
