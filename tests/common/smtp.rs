//! A real SMTP server for the tests: aiosmtpd (tests/smtp/smtp_sink.py) on a loopback port, and what
//! it received, parsed by Python's `email` package.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

/// The SMTP server, running until dropped.
pub struct SmtpSink {
    pub port: u16,
    path: PathBuf,
    _dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

impl SmtpSink {
    /// Starts the server; `None` (a skip, a failure under CI) without the Python venv.
    pub async fn start() -> Option<SmtpSink> {
        let Some(python) = super::python() else {
            super::skip(
                "SMTP server: no Python with aiosmtpd (set VERKOSTO_INTEROP_PYTHON or run .ci/run)",
            );
            return None;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("received.jsonl");
        let port = super::free_port();
        let mut child = tokio::process::Command::new(python)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("tests/smtp/smtp_sink.py")
            .arg(&path)
            .arg(port.to_string())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SMTP server");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
        let ready = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the SMTP server starts")
            .expect("read")
            .expect(
                "a line (is aiosmtpd installed? pip install -r tests/interop/requirements.txt)",
            );
        assert_eq!(ready, "ready");
        Some(SmtpSink {
            port,
            path,
            _dir: dir,
            _child: child,
        })
    }

    /// The instance's SMTP settings for this server (plain SMTP on loopback).
    pub fn settings(&self) -> verkosto::service::MailSettings {
        verkosto::service::MailSettings {
            smtp_url: format!("smtp://127.0.0.1:{}", self.port),
            credentials: None,
            from: "Kahvila Kulma <verkosto@kahvila.example>".into(),
        }
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    /// The messages to `to` whose subject starts with `subject`.
    pub fn to(&self, to: &str, subject: &str) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|m| {
                m["rcpt_to"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|a| a == to))
            })
            .filter(|m| {
                m["subject"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(subject))
            })
            .collect()
    }

    /// The subjects of the messages to `to`, for failure messages.
    pub fn subjects(&self, to: &str) -> Vec<String> {
        self.to(to, "")
            .iter()
            .map(|m| m["subject"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Waits until a message to `to` with this subject has arrived, and returns it.
    pub async fn wait_for(&self, to: &str, subject: &str) -> Value {
        super::eventually(20, &format!("mail to {to}: {subject}"), || async {
            self.to(to, subject).into_iter().next()
        })
        .await
    }
}

/// The first link in `text` that contains `part`.
pub fn link_in(text: &str, part: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http") && w.contains(part))
        .unwrap_or_else(|| panic!("no link with {part} in {text}"))
        .to_string()
}
