//! Allow-list HTML sanitizing for everything users and remote servers send us.

/// Sanitizes HTML with ammonia's allow-list; links get `rel="nofollow noopener noreferrer"`.
pub fn html(raw: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(raw)
        .to_string()
}

/// Renders Markdown (bare URLs become links) to sanitized HTML. comrak keeps raw HTML only because
/// the sanitizer always runs after it.
pub fn markdown(source: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    options.render.r#unsafe = true;
    html(&comrak::markdown_to_html(source, &options))
}

/// Text made safe inside HTML or XML, in elements and in quoted attributes.
pub fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// HTML as plain text: every tag dropped by ammonia's empty allow-list, paragraphs and line breaks
/// kept as line breaks, entities decoded.
pub fn plain_text(raw: &str) -> String {
    let spaced = raw
        .replace("</p>", "</p>\n")
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n");
    ammonia::Builder::empty()
        .clean(&spaced)
        .to_string()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
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

    #[test]
    fn pathological_input_is_handled() {
        let nested = "<div>".repeat(20_000) + &"</div>".repeat(20_000);
        let out = super::html(&nested);
        assert!(out.len() <= nested.len());
        let attrs = format!(
            "<a href=\"{}\" title=\"{}\">x</a>",
            "h".repeat(100_000),
            "\"".repeat(10_000)
        );
        assert!(!super::html(&attrs).contains("<script"));
        let md = "[".repeat(20_000) + &"](x)".repeat(20_000) + &"*".repeat(20_000);
        let _ = super::markdown(&md);
    }

    #[test]
    fn markdown_links_urls_and_stays_safe() {
        let out =
            super::markdown("**Tervetuloa** https://kahvila.example <img src=x onerror=alert(1)>");
        assert!(out.contains("<strong>Tervetuloa</strong>"), "{out}");
        assert!(out.contains("href=\"https://kahvila.example\""), "{out}");
        assert!(!out.contains("onerror"), "{out}");
    }
}
