//! Actors: a community is a `Group`, a local account a `Person`, the instance an `Application`
//! (FEP-2677). Remote actors of any type are read into [`RemoteActor`] and cached.

mod document;
mod remote;
mod urls;

pub use document::{ActorDocument, application_document, group_document, person_document};
pub use remote::{refetch_remote, resolve_remote};
pub use urls::{account_id, community_id, instance_id, manager_ids, normalized_host};
