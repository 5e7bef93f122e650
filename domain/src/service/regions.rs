//! Regions, for operators: create one with its first key, list them, and
//! bootstrap an empty database.

use super::audit::AuditEntry;
use super::keys::{insert_key, new_key_row};
use crate::clock::now;
use crate::credentials::random;
use crate::error::{Error, Result};
use crate::infra::change::Change;
use crate::infra::coherence::Coherence;
use crate::model::{
    AuditAction, CreatedApiKey, CreatedRegion, Description, Environment, KeyPolicy, Region, RegionId, RegionName,
    RegionSummary, Scopes,
};
use crate::store::database::Db;
use crate::store::entity::region;
use crate::store::{keys, regions};

/// The name of the region created on the first start of an empty database.
pub const BOOTSTRAP_REGION_NAME: &str = "default";

#[derive(Clone)]
pub struct Regions {
    db: Db,
    coherence: Coherence,
}

impl Regions {
    pub(crate) fn new(db: Db, coherence: Coherence) -> Self {
        Self { db, coherence }
    }

    /// Creates a region and its first key in one transaction.
    pub async fn create(
        &self,
        name: RegionName,
        environment: Environment,
        description: Option<Description>,
    ) -> Result<CreatedRegion> {
        let at = now();
        let region = region::Model {
            id: random::id::<RegionId>(),
            name: name.into(),
            sandbox: environment.is_sandbox(),
            created_at: at,
            updated_at: at,
        };
        // A region's first key manages everything, as every key did before scopes.
        let (key, token) =
            new_key_row(&region.clone().into(), description, Scopes::all(), &KeyPolicy::default()).await?;

        let mut change = Change::begin(&self.db, &self.coherence).await?;
        let region = regions::insert(&change, region).await?;
        AuditEntry::new(&region.id, AuditAction::RegionCreated).record(&change).await?;
        let key = insert_key(&mut change, key, None, &KeyPolicy::default()).await?;
        change.commit().await?;
        Ok(CreatedRegion {
            region: region.into(),
            api_key: CreatedApiKey { key: key.into(), token: token.into_string() },
        })
    }

    /// The region with this id or, failing that, this name.
    pub async fn find(&self, id_or_name: &str) -> Result<Region> {
        let by_id = match RegionId::parse(id_or_name) {
            Ok(id) => regions::find(&self.db, &id).await?,
            Err(_) => None,
        };
        let found = match by_id {
            Some(found) => Some(found),
            None => regions::find_by_name(&self.db, id_or_name).await?,
        };
        found.map(Region::from).ok_or_else(|| Error::RegionNotFound(id_or_name.to_owned()))
    }

    /// Every region with its number of keys, oldest first.
    pub async fn list(&self) -> Result<Vec<RegionSummary>> {
        let all = regions::all(&self.db).await?;
        let mut summaries = Vec::with_capacity(all.len());
        for region in all {
            let api_key_count = keys::count_in_region(&self.db, &region.id).await?;
            summaries.push(RegionSummary { region: region.into(), api_key_count });
        }
        Ok(summaries)
    }

    /// On an empty database, creates the region `default` and its first key.
    /// `None` when any region exists, also when another process starting at
    /// the same moment won the race (region names are unique).
    pub async fn bootstrap(&self) -> Result<Option<CreatedRegion>> {
        if regions::any_exists(&self.db).await? {
            return Ok(None);
        }
        let name = RegionName::parse(BOOTSTRAP_REGION_NAME)?;
        let description = Description::parse("first key")?;
        match self.create(name, Environment::Live, description).await {
            Err(Error::RegionNameTaken(_)) => Ok(None),
            other => other.map(Some),
        }
    }
}
