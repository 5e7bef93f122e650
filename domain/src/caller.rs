//! Who is calling: a region, through one of its keys or as a person it
//! granted the console to, from an address.

use std::net::IpAddr;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::{
    AdministratorId, AllowedNetworks, AuditActor, Bounds, Budget, KeyAccess, KeyId, KeyState, OwnerId, Person, Region,
    Scopes,
};

/// Who acts for a caller: one of the region's keys, or a person by the
/// grant the region gave their email. A person has no key: nothing that
/// asks for the caller's key gets one for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Key(KeyId),
    Person { administrator_id: AdministratorId, person: Person },
}

impl Actor {
    /// How the audit log names it.
    pub fn audited(&self) -> AuditActor {
        match self {
            Self::Key(key_id) => AuditActor::Key { api_key_id: key_id.clone() },
            Self::Person { person, .. } => AuditActor::Person {
                email: person.email.clone(),
                subject: person.subject.clone(),
                name: person.name.clone(),
            },
        }
    }
}

/// Proof that a request authenticated. Only the domain's authentication
/// paths (an API key, a console session) create one, so code elsewhere
/// cannot act for a region it did not authenticate as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    region: Region,
    actor: Actor,
    scopes: Scopes,
    client: IpAddr,
    /// The policy that binds the caller's key: what it may give at most.
    bounds: Arc<Bounds>,
}

impl Caller {
    pub(crate) fn new(region: Region, key_id: KeyId, scopes: Scopes, client: IpAddr, bounds: Arc<Bounds>) -> Self {
        Self { region, actor: Actor::Key(key_id), scopes, client, bounds }
    }

    /// A person acting by their grant `administrator_id`, with its scopes.
    /// A person is bound by no key's policy: their bounds are the region's.
    pub(crate) fn for_person(
        region: Region,
        administrator_id: AdministratorId,
        person: Person,
        scopes: Scopes,
        client: IpAddr,
    ) -> Self {
        Self {
            region,
            actor: Actor::Person { administrator_id, person },
            scopes,
            client,
            bounds: Arc::new(Bounds::default()),
        }
    }

    pub fn region(&self) -> &Region {
        &self.region
    }

    /// Who acts: a key or a person.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The key the caller authenticated with; `None` for a person.
    pub fn key_id(&self) -> Option<&KeyId> {
        match &self.actor {
            Actor::Key(key_id) => Some(key_id),
            Actor::Person { .. } => None,
        }
    }

    /// The person acting, if a person is.
    pub fn person(&self) -> Option<&Person> {
        match &self.actor {
            Actor::Key(_) => None,
            Actor::Person { person, .. } => Some(person),
        }
    }

    /// What the caller's key may do.
    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }

    /// `InsufficientScope` unless the caller's key allows `access`.
    pub fn require(&self, access: KeyAccess) -> Result<()> {
        if self.scopes.allow(access) { Ok(()) } else { Err(Error::InsufficientScope(access)) }
    }

    /// `ScopeEscalation` unless the caller may give `granted` to a key that
    /// holds `held` now ([`Scopes::may_grant`]).
    pub fn ensure_may_grant(&self, granted: &Scopes, held: &Scopes) -> Result<()> {
        if self.scopes.may_grant(granted, held) { Ok(()) } else { Err(Error::ScopeEscalation) }
    }

    /// `PolicyEscalation` unless the caller may give a key `owner_id`,
    /// `budget` and `networks` ([`Bounds::admit_key`]).
    pub fn ensure_may_bind_key(
        &self,
        owner_id: Option<&OwnerId>,
        budget: &Budget,
        networks: &AllowedNetworks,
    ) -> Result<()> {
        if self.bounds.admit_key(owner_id, budget, networks) { Ok(()) } else { Err(Error::PolicyEscalation) }
    }

    /// `PolicyEscalation` unless the caller may change the owner `owner_id`,
    /// and give it `budget` when that changes ([`Bounds::admit_owner`]).
    pub fn ensure_may_bind_owner(&self, owner_id: Option<&OwnerId>, budget: Option<&Budget>) -> Result<()> {
        if self.bounds.admit_owner(owner_id, budget) { Ok(()) } else { Err(Error::PolicyEscalation) }
    }

    /// The client's address, recorded in the audit log with every change.
    pub fn client(&self) -> IpAddr {
        self.client
    }

    /// The same caller acting through another key of its region (a console
    /// session moved to a rotation's new key), for the rest of the request
    /// it authenticated; the scopes checked stay the caller's own.
    pub(crate) fn through(&self, key_id: KeyId) -> Self {
        Self { actor: Actor::Key(key_id), ..self.clone() }
    }
}

/// The refusal of a key in `state` ([`KeyState::at`]), or none while it
/// may be used: every path a key acts by (authentication, a change's
/// re-check under the region lock, a console session) asks this.
pub(crate) fn ensure_usable(state: KeyState) -> Result<()> {
    match state {
        KeyState::Usable | KeyState::Scheduled => Ok(()),
        KeyState::Due => Err(Error::Revoked),
        KeyState::Quarantined => Err(Error::Quarantined),
    }
}
