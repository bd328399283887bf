//! Domain types: what Verkosto knows about, independent of storage and of ActivityStreams.
//!
//! Wire shapes live in the crate's `apub` module; each has one named conversion from and to these types.

mod account;
mod announcement;
mod calendar_import;
mod community;
mod event;
mod follow;
mod name;
mod relay;
mod remote_actor;
pub(crate) mod rfc3339;
mod series;
mod zone;

pub use account::Account;
pub use announcement::{
    Announcement, AnnouncementUpdate, NetworkMember, NetworkMemberState, NetworkMembership,
    NewAnnouncement,
};
pub use calendar_import::{CalendarSubscription, SyncReport};
pub use community::{
    Community, CommunityKind, CommunityUpdate, FollowPolicy, Membership, MembershipState,
    NewCommunity, Role, Visibility,
};
pub use event::{
    Comment, Event, EventCategory, EventPlace, EventStatus, EventUpdate, JoinMode, NewEvent,
    Participation, ParticipationState,
};
pub use follow::{FollowState, Follower, Following};
pub use name::LocalName;
pub use relay::{InstanceFollowPolicy, RelaySubscription};
pub use remote_actor::{ActorKind, RemoteActor};
pub use series::{
    EditScope, MAX_EXPANSION, Recurrence, Series, SeriesLink, SeriesTemplate, resolve_local,
    weekday_code,
};
pub use zone::{EventZone, zone_of};

/// An RSA key pair in PEM, as every local actor (account, community, instance) has one.
#[derive(Clone)]
pub struct KeyPair {
    /// SubjectPublicKeyInfo PEM, published in the actor's `publicKey`.
    pub public_key_pem: String,
    /// PKCS#8 PEM. Never leaves the server.
    pub private_key_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("private_key_pem", &"<redacted>")
            .finish()
    }
}

/// Implements `Display` and `FromStr` for a fieldless enum stored as text.
macro_rules! text_enum {
    ($ty:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The value as stored and sent over the API.
            pub fn as_str(&self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($ty::$variant),)+
                    other => Err(format!(
                        concat!("unknown ", $what, " {:?}; expected one of: ", $($text, " "),+),
                        other
                    )),
                }
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use text_enum;
