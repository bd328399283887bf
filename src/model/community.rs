use chrono::{DateTime, Utc};
use url::Url;

use super::text_enum;

/// What kind of community this is; a `Network` has communities, not people, as members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommunityKind {
    /// A co-working or remote-work space.
    Coworking,
    /// A community inside a company.
    CompanyInternal,
    /// A registered association.
    Association,
    /// A network of communities, such as the national network of community managers.
    Network,
}
text_enum!(CommunityKind, "community kind" {
    Coworking => "coworking",
    CompanyInternal => "company_internal",
    Association => "association",
    Network => "network",
});

/// Whether followers are accepted at once or wait for a manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowPolicy {
    /// Every `Follow` is accepted at once.
    Open,
    /// A manager accepts or rejects each request (`manuallyApprovesFollowers`).
    Approval,
}
text_enum!(FollowPolicy, "follow policy" {
    Open => "open",
    Approval => "approval",
});

/// Who may see a community, an event or an announcement (issue 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    /// Anyone: listed, federated to the world (`as:Public`), in public feeds.
    #[default]
    Public,
    /// The community's members only: local accounts with an active membership and remote actors
    /// whose follow it accepted. Addressed to its followers collection, delivered to members only,
    /// and answered with 404 to everyone else.
    Members,
}
text_enum!(Visibility, "visibility" {
    Public => "public",
    Members => "members",
});

impl Visibility {
    /// Whether this is members-only.
    pub fn is_members(self) -> bool {
        self == Visibility::Members
    }
}

/// A community hosted on this instance.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Community {
    /// Database id.
    pub id: i64,
    /// The local name, also the WebFinger handle.
    pub name: String,
    /// The shown name.
    pub display_name: String,
    /// Sanitized HTML.
    pub summary: String,
    /// What kind of community it is.
    pub kind: CommunityKind,
    /// Free-text place, e.g. "Tampere, Finland".
    pub location: Option<String>,
    /// Latitude of the space, for maps.
    pub latitude: Option<f64>,
    /// Longitude of the space, for maps.
    pub longitude: Option<f64>,
    /// The community's own web site.
    pub website: Option<Url>,
    /// Hashtags without `#`.
    pub tags: Vec<String>,
    /// Avatar image.
    pub icon_url: Option<Url>,
    /// Header image.
    pub banner_url: Option<Url>,
    /// How follows are handled (always `Approval` when members-only).
    pub follow_policy: FollowPolicy,
    /// Who may see it and what it publishes (by default).
    pub visibility: Visibility,
    /// When the community was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// What a caller supplies to create a community.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewCommunity {
    /// The local name (see [`super::LocalName`]).
    pub name: String,
    /// The shown name; the name is used when empty.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Plain text or HTML; sanitized before it is stored.
    #[serde(default)]
    pub summary: Option<String>,
    /// Defaults to `coworking`.
    #[serde(default)]
    pub kind: Option<CommunityKind>,
    /// Free-text place.
    #[serde(default)]
    pub location: Option<String>,
    /// Latitude, -90 to 90.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Longitude, -180 to 180.
    #[serde(default)]
    pub longitude: Option<f64>,
    /// The community's own web site.
    #[serde(default)]
    pub website: Option<String>,
    /// Hashtags, with or without `#`.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Avatar image URL.
    #[serde(default)]
    pub icon_url: Option<String>,
    /// Header image URL.
    #[serde(default)]
    pub banner_url: Option<String>,
    /// Defaults to `open` (`approval` when members-only).
    #[serde(default)]
    pub follow_policy: Option<FollowPolicy>,
    /// Defaults to `public`.
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

/// A partial change to a community: absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityUpdate {
    /// New shown name.
    pub display_name: Option<String>,
    /// New summary (sanitized).
    pub summary: Option<String>,
    /// New kind.
    pub kind: Option<CommunityKind>,
    /// New place; an empty string clears it.
    pub location: Option<String>,
    /// New latitude.
    pub latitude: Option<f64>,
    /// New longitude.
    pub longitude: Option<f64>,
    /// New web site; an empty string clears it.
    pub website: Option<String>,
    /// New tags (replaces the list).
    pub tags: Option<Vec<String>>,
    /// New avatar; an empty string clears it.
    pub icon_url: Option<String>,
    /// New header image; an empty string clears it.
    pub banner_url: Option<String>,
    /// New follow policy.
    pub follow_policy: Option<FollowPolicy>,
    /// New visibility: what was already published keeps its own.
    pub visibility: Option<Visibility>,
}

/// A person's role in a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Takes part.
    Member,
    /// Runs the community: edits it, publishes, approves requests.
    Manager,
    /// Made the community; a manager who cannot be removed by other managers.
    Owner,
}
text_enum!(Role, "role" {
    Member => "member",
    Manager => "manager",
    Owner => "owner",
});

/// Whether a membership is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipState {
    /// Requested, waiting for a manager.
    Pending,
    /// In force.
    Active,
}
text_enum!(MembershipState, "membership state" {
    Pending => "pending",
    Active => "active",
});

/// A local account's membership in a local community.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Membership {
    /// The community's database id.
    pub community_id: i64,
    /// The account's database id.
    pub account_id: i64,
    /// The account's username.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// Pending or active.
    pub state: MembershipState,
    /// Since when.
    pub created_at: DateTime<Utc>,
}

impl Membership {
    /// Whether this membership lets its holder manage the community.
    pub fn can_manage(&self) -> bool {
        self.state == MembershipState::Active && self.role >= Role::Manager
    }
}
