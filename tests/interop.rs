//! Interoperability with an ActivityPub implementation not written here: a peer built on the Python
//! library bovine (tests/interop/fedi_peer.py) resolves a community by WebFinger, follows it with its own
//! HTTP signatures, verifies our signed `Accept` with its own code, and unfollows.
//!
//! Needs a Python with `tests/interop/requirements.txt` installed: `VERKOSTO_INTEROP_PYTHON`, or the venv
//! `.ci/run` makes at `target/interop-venv`. Without one the test says it was skipped; under CI it fails.

use std::path::PathBuf;
use std::time::Duration;

use crate::common::{TestDb, TestServer, eventually};
use serde_json::Value;

pub(crate) fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) use crate::common::python as interop_python;

#[tokio::test]
async fn a_bovine_peer_follows_a_community_and_verifies_our_accept() {
    let Some(python) = interop_python() else {
        crate::common::skip(
            "interop test: no Python with bovine (set VERKOSTO_INTEROP_PYTHON or run .ci/run)",
        );
        return;
    };
    let server = TestServer::start(TestDb::sqlite().await).await;
    let token = server.account("aino").await;
    server.community(&token, "kahvila", "open").await;
    let peer_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let follow_url = server.url("/c/kahvila");
    let peer_actor = format!("http://localhost:{peer_port}/actor");
    let mut child = tokio::process::Command::new(&python)
        .current_dir(workspace_root())
        .arg("tests/interop/fedi_peer.py")
        .args(["--port", &peer_port.to_string(), "--follow", &follow_url])
        .args([
            "--handle",
            &format!("kahvila@{}", server.domain),
            "--timeout",
            "30",
            "--unfollow",
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the peer");

    let stdout = child.stdout.take().expect("stdout");
    let output = tokio::time::timeout(Duration::from_secs(60), async {
        use tokio::io::AsyncReadExt;
        let mut out = String::new();
        let mut stdout = stdout;
        stdout
            .read_to_string(&mut out)
            .await
            .expect("read peer output");
        let status = child.wait().await.expect("peer exit");
        (status, out)
    })
    .await
    .expect("the peer finishes");
    let (status, out) = output;
    let report: Value = serde_json::from_str(out.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("peer output {out:?}: {e}"));
    assert_eq!(report["webfinger_ok"], true, "{report}");
    assert_eq!(
        report["group_ok"], true,
        "bovine read our Group, publicKey intact after JSON-LD expansion: {report}"
    );
    assert_eq!(
        report["follow_status"], 202,
        "we verified bovine's signature: {report}"
    );
    assert_eq!(report["accept_received"], true, "{report}");
    assert_eq!(
        report["accept_signature_valid"], true,
        "bovine verified our signature: {report}"
    );
    assert_eq!(report["accept_actor"], follow_url.as_str(), "{report}");
    assert_eq!(report["undo_status"], 202, "{report}");
    assert!(status.success(), "peer failed: {report}");

    // We fetched and cached the peer's actor to verify its signature, and its Undo removed the follow.
    let mut c = server.verkosto.db().acquire().await.expect("acquire");
    let cached = verkosto::store::remote_actors::find_by_ap_id(&mut c.conn(), &peer_actor)
        .await
        .expect("find");
    assert_eq!(cached.map(|a| a.username), Some("peer".to_string()));
    drop(c);
    eventually(10, "the Undo to remove the follower", || async {
        let (_, _, head) = server.get_ap("/c/kahvila/followers").await;
        (head["totalItems"] == 0).then_some(())
    })
    .await;
    server.stop().await;
}
