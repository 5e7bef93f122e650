//! A key's policy as the hot path holds it: loaded with the key into the
//! verification cache (and dropped from it with every change to the key or
//! its owner), so deciding a request reads nothing.

use std::sync::Arc;

use sea_orm::ConnectionTrait;

use super::metering::Charge;
use crate::clock::now;
use crate::error::Result;
use crate::model::{AllowedNetworks, Bounds, Budget, Credits, KeyId, Meta, OwnerIdentity, RateLimits};
use crate::store::entity::api_key;
use crate::store::{budgets, owners};

/// What binds a key beyond its scopes, and what is said about it.
#[derive(Clone, Debug)]
pub(crate) struct Policy {
    /// Who holds the key's own limit counts and credits ([`api_key::Model::budget_holder`]).
    pub budget_holder: KeyId,
    pub owner: Option<OwnerPolicy>,
    pub meta: Meta,
    pub rate_limits: RateLimits,
    /// As loaded: `remaining` is what the balance held then.
    pub credits: Option<Credits>,
    pub allowed_networks: AllowedNetworks,
}

#[derive(Clone, Debug)]
pub(crate) struct OwnerPolicy {
    pub identity: OwnerIdentity,
    pub rate_limits: RateLimits,
    pub credits: Option<Credits>,
}

impl Policy {
    /// Loads the policy of `key`: its owner and both balances.
    pub(crate) async fn load(db: &impl ConnectionTrait, key: &api_key::Model) -> Result<Arc<Self>> {
        let owner = match &key.owner_id {
            Some(owner_id) => owners::find(db, owner_id).await?,
            None => None,
        };
        let holder = key.budget_holder();
        let holders = std::iter::once(holder.to_string()).chain(owner.iter().map(|owner| owner.id.to_string()));
        let mut balances = budgets::credits_of(db, holders, now()).await?;
        let mut credits_of = |holder: &str| balances.remove(holder);
        Ok(Arc::new(Self {
            budget_holder: holder.clone(),
            owner: owner.map(|owner| OwnerPolicy {
                credits: credits_of(owner.id.as_str()),
                identity: OwnerIdentity { id: owner.id, external_id: owner.external_id, meta: owner.meta },
                rate_limits: owner.rate_limits,
            }),
            credits: credits_of(holder.as_str()),
            meta: key.meta.clone(),
            rate_limits: key.rate_limits.clone(),
            allowed_networks: key.allowed_networks.clone(),
        }))
    }

    /// Whether anything limits or meters this key's requests.
    pub(crate) fn meters(&self) -> bool {
        !self.rate_limits.is_empty()
            || self.credits.is_some()
            || self.owner.as_ref().is_some_and(|owner| !owner.rate_limits.is_empty() || owner.credits.is_some())
    }

    /// One request costing `cost` credits: the key's limits and its
    /// owner's, the key's balance and its owner's.
    pub(crate) fn charge(&self, cost: u64) -> Charge<'_> {
        let owner = self.owner.as_ref();
        let key_id = &self.budget_holder;
        let limits = self
            .rate_limits
            .iter()
            .map(|limit| (key_id.as_str(), limit))
            .chain(
                owner
                    .into_iter()
                    .flat_map(|owner| owner.rate_limits.iter().map(move |limit| (owner.identity.id.as_str(), limit))),
            )
            .collect();
        let balances = self
            .credits
            .map(|credits| (key_id.as_str(), credits.refill))
            .into_iter()
            .chain(owner.and_then(|owner| Some((owner.identity.id.as_str(), owner.credits?.refill))))
            .collect();
        Charge { limits, balances, cost }
    }

    /// What a caller with this policy may give others at most.
    pub(crate) fn bounds(&self) -> Bounds {
        Bounds {
            owner_id: self.owner.as_ref().map(|owner| owner.identity.id.clone()),
            budget: Budget { rate_limits: self.rate_limits.clone(), credits: self.credits },
            owner_budget: self
                .owner
                .as_ref()
                .map(|owner| Budget { rate_limits: owner.rate_limits.clone(), credits: owner.credits }),
            allowed_networks: self.allowed_networks.clone(),
        }
    }
}
