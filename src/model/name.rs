use crate::error::{Error, Refusal, Result};

/// A local name: the `name` in `@name@domain` of an account or a community.
///
/// Lowercase ASCII letters, digits and `_`, 1 to 64 characters. Accounts and communities share one
/// namespace because both become WebFinger handles on the same domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct LocalName(String);

impl LocalName {
    /// Checks `raw` and wraps it; `field` names the request field in the error.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        if raw.is_empty() || raw.len() > 64 {
            return Err(Error::invalid(
                field,
                Refusal::NameLength { min: 1, max: 64 },
            ));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Error::invalid(field, Refusal::NameCharacters));
        }
        Ok(LocalName(raw.to_string()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LocalName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_refuses() {
        assert!(LocalName::parse("name", "kahvila_42").is_ok());
        for bad in ["", "Kahvila", "a-b", "ä", &"x".repeat(65)] {
            let err = LocalName::parse("name", bad).expect_err(bad);
            assert_eq!(
                err.status(),
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}"
            );
        }
    }
}
