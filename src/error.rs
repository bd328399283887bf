//! The library's one error type, and its mapping to HTTP answers.
//!
//! Every fallible operation of the library returns [`Error`]. The HTTP layer turns it into a JSON answer
//! `{"error": "<machine_code>", "message": "<human text>"}` in exactly one place ([`Error::status`] and the
//! `IntoResponse` impl), so a handler never picks a status code by itself. A refusal a person caused
//! ([`Refusal`]) adds its stable `"code"` and `"params"` (and an invalid field its `"field"`); the web
//! pages show it in the visitor's language from the Fluent message `refusal-<code>`.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;

mod refusal;

pub use refusal::{Kind, Param, Refusal};

/// Shorthand for results of this library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in Verkosto, grouped by what the caller should do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request could not be parsed at all (malformed JSON, wrong shape).
    #[error("{0}")]
    BadRequest(String),
    /// One field of an otherwise well-formed request is invalid.
    #[error("{field}: {reason}")]
    InvalidField {
        /// The name of the offending field, as the client sent it.
        field: String,
        /// What is wrong with it.
        reason: Refusal,
    },
    /// A refusal a person caused, with its stable code; its kind gives the status.
    #[error("{0}")]
    Refused(Refusal),
    /// No credentials, or credentials that do not identify anyone.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The named thing does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The thing existed and was deleted (a remote actor or object answered 410).
    #[error("{0} is gone")]
    Gone(String),
    /// The thing exists already (a taken name, a duplicate follow).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again after the given number of seconds.
    #[error("too many requests; try again in {0} s")]
    TooManyRequests(u64),
    /// The body is over the configured limit.
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// A federation POST whose `Content-Type` is not an ActivityStreams type.
    #[error("unsupported content type {0:?}: expected application/activity+json")]
    UnsupportedMediaType(String),
    /// A remote server misbehaved or could not be reached while serving a client request.
    #[error("remote server: {0}")]
    Remote(String),
    /// The database failed. Never caused by input; logged with detail, answered without it.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed at start-up.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A bug or broken invariant: logged with detail, answered without it.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidField`].
    pub fn invalid(field: impl Into<String>, reason: Refusal) -> Self {
        Error::InvalidField {
            field: field.into(),
            reason,
        }
    }

    /// An invalid field of a document or activity from another server.
    pub fn invalid_document(field: impl Into<String>, why: impl Into<String>) -> Self {
        Error::invalid(field, Refusal::InvalidDocument { why: why.into() })
    }

    /// The refusal behind this error, when a person caused it.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::InvalidField { reason, .. } | Error::Refused(reason) => Some(reason),
            _ => None,
        }
    }

    /// Whether the thing asked for does not exist (a 404, whatever said so).
    pub fn is_not_found(&self) -> bool {
        self.status() == StatusCode::NOT_FOUND
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Refused(r) => r.kind().status(),
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Gone(_) => StatusCode::GONE,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Remote(_) => StatusCode::BAD_GATEWAY,
            Error::Database(_) | Error::Migrate(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// A stable, machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadRequest(_) => "bad_request",
            Error::InvalidField { .. } => "invalid_field",
            Error::Refused(r) => r.kind().code(),
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Gone(_) => "gone",
            Error::Conflict(_) => "conflict",
            Error::PayloadTooLarge(_) => "payload_too_large",
            Error::TooManyRequests(_) => "too_many_requests",
            Error::UnsupportedMediaType(_) => "unsupported_media_type",
            Error::Remote(_) => "remote_error",
            Error::Database(_) | Error::Migrate(_) | Error::Internal(_) => "internal_error",
        }
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Error::Refused(refusal)
    }
}

impl From<activitypub_federation::error::Error> for Error {
    fn from(err: activitypub_federation::error::Error) -> Self {
        use activitypub_federation::error::Error as Fed;
        match err {
            Fed::NotFound => Error::NotFound("remote object".into()),
            Fed::ObjectDeleted(url) => Error::Gone(url.to_string()),
            // The remote server answered, but not with a usable document (typically its 404 page).
            Fed::ParseFetchedObject(_, url, _) => {
                Error::NotFound(format!("{url} (no usable document)"))
            }
            Fed::WebfingerResolveFailed(e) => Error::NotFound(format!("WebFinger: {e}")),
            // The origin does not serve it as an ActivityStreams object: as good as not there.
            Fed::FetchInvalidContentType(url) => Error::NotFound(format!(
                "{url} (not an ActivityStreams document at its origin)"
            )),
            Fed::FetchWrongId(url) => {
                Error::Forbidden(format!("the document at {url} claims another id"))
            }
            other => Error::Remote(other.to_string()),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::BadRequest(format!("invalid JSON: {err}"))
    }
}

impl From<url::ParseError> for Error {
    fn from(err: url::ParseError) -> Self {
        Error::BadRequest(format!("invalid URL: {err}"))
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// The refusal's stable code, when a person caused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    /// The refusal's parameters, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<serde_json::Map<String, serde_json::Value>>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            // The detail may carry SQL or internal state: it goes to the log, not to the client.
            tracing::error!(error = %self, "request failed");
            "internal error; the server log has details".to_string()
        } else {
            tracing::info!(status = status.as_u16(), error = %self, "request refused");
            self.to_string()
        };
        let field = match &self {
            Error::InvalidField { field, .. } => Some(field.as_str()),
            _ => None,
        };
        let refusal = self.refusal();
        let body = ErrorBody {
            error: self.code(),
            message,
            field,
            code: refusal.map(Refusal::code),
            params: refusal.map(|r| {
                r.params()
                    .into_iter()
                    .map(|(name, value)| {
                        (
                            name.to_string(),
                            serde_json::to_value(value).unwrap_or_default(),
                        )
                    })
                    .collect()
            }),
        };
        let mut response = (status, Json(body)).into_response();
        if let Error::TooManyRequests(secs) = self
            && let Ok(v) = axum::http::HeaderValue::from_str(&secs.max(1).to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    }
}
