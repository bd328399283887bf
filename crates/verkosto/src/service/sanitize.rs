//! Allow-list HTML sanitizing for everything users and remote servers send us.

/// Sanitizes HTML with ammonia's allow-list; links get `rel="nofollow noopener noreferrer"`.
pub fn html(raw: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_scripts_and_handlers() {
        let clean = super::html(
            r#"<p onclick="x()">hei <a href="javascript:alert(1)">a</a><script>bad()</script></p>"#,
        );
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(!clean.contains("javascript:"), "{clean}");
        assert!(!clean.contains("<script"), "{clean}");
        assert!(clean.contains("hei"), "{clean}");
    }
}
