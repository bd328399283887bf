//! Property tests: the parsers of everything remote servers send never panic, whatever the input.

use proptest::prelude::*;
use serde_json::Value;
use url::Url;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        ".{0,40}".prop_map(Value::String),
        prop_oneof![
            Just("https://a.example/e/1".to_string()),
            Just("Event".to_string()),
            Just("Note".to_string()),
            Just("2030-01-01T00:00:00Z".to_string()),
            Just("Europe/Helsinki".to_string()),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::hash_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("type".to_string()),
                    Just("name".to_string()),
                    Just("startTime".to_string()),
                    Just("endTime".to_string()),
                    Just("location".to_string()),
                    Just("attachment".to_string()),
                    Just("tag".to_string()),
                    Just("organizers".to_string()),
                    Just("content".to_string()),
                    Just("address".to_string()),
                    Just("object".to_string()),
                    Just("actor".to_string()),
                    Just("to".to_string()),
                    "[a-zA-Z@]{1,12}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn event_and_note_readers_never_panic(mut doc in json_value(), event in any::<bool>()) {
        if let Value::Object(o) = &mut doc {
            o.insert("type".into(), Value::String(if event { "Event" } else { "Note" }.into()));
        }
        let organizer = Url::parse("https://a.example/c/x").expect("url");
        let _ = super::event::event_from_ap(&doc, "p".into(), organizer.clone());
        let _ = super::note::announcement_from_ap(&doc, "p".into(), organizer);
    }

    #[test]
    fn iri_collection_and_host_normalising_never_panic(doc in json_value(), host in ".{0,60}") {
        let _ = super::safety::iris(&doc);
        let _ = super::safety::normalize_host(&host);
        let blocks = super::safety::DomainBlocks::default();
        blocks.replace(["evil.example".to_string()]);
        let _ = blocks.is_blocked_host(&host);
    }

    #[test]
    fn signature_header_parsing_never_panics(
        signature in ".{0,200}",
        digest in ".{0,80}",
        date in ".{0,40}",
        body in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut headers = http::HeaderMap::new();
        for (name, value) in [("signature", &signature), ("digest", &digest), ("date", &date), ("host", &"here.example".to_string())] {
            if let Ok(v) = http::HeaderValue::from_str(value) {
                headers.insert(name, v);
            }
        }
        let checked = super::signatures::check_post("POST", "/inbox", &headers, &body, "here.example", super::signatures::SignatureAge::default());
        if let Ok(pending) = checked {
            let _ = pending.key_owner_guess();
            let _ = pending.verify("not a key");
        }
    }

    #[test]
    fn activity_envelopes_never_panic(doc in json_value()) {
        let _ = super::inbox::read_envelope(&doc);
    }
}
