//! Regions, for operators: create one with its first key, list them, and
//! bootstrap an empty database.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

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
use crate::store::entity::{api_key, region};
use crate::store::is_unique_violation;

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
        let taken = Error::RegionNameTaken(region.name.clone());
        let region = match region::ActiveModel::from(region).insert(&change).await {
            Err(e) if is_unique_violation(&e) => return Err(taken),
            other => other?,
        };
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
            Ok(id) => region::Entity::find_by_id(id).one(&self.db).await?,
            Err(_) => None,
        };
        let found = match by_id {
            Some(found) => Some(found),
            None => region::Entity::find().filter(region::Column::Name.eq(id_or_name)).one(&self.db).await?,
        };
        found.map(Region::from).ok_or_else(|| Error::RegionNotFound(id_or_name.to_owned()))
    }

    /// Every region with its number of keys, oldest first.
    pub async fn list(&self) -> Result<Vec<RegionSummary>> {
        let regions = region::Entity::find()
            .order_by_asc(region::Column::CreatedAt)
            .order_by_asc(region::Column::Id)
            .all(&self.db)
            .await?;
        let mut summaries = Vec::with_capacity(regions.len());
        for region in regions {
            let api_key_count = api_key::Entity::find()
                .filter(api_key::Column::RegionId.eq(region.id.as_str()))
                .count(&self.db)
                .await?;
            summaries.push(RegionSummary { region: region.into(), api_key_count });
        }
        Ok(summaries)
    }

    /// On an empty database, creates the region `default` and its first key.
    /// `None` when any region exists, also when another process starting at
    /// the same moment won the race (region names are unique).
    pub async fn bootstrap(&self) -> Result<Option<CreatedRegion>> {
        if region::Entity::find().count(&self.db).await? > 0 {
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
