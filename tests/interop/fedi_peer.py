#!/usr/bin/env python3
"""Independent ActivityPub peer used to check Verkosto against a third-party library.

The peer is built on `bovine` (PyPI, not written by us) and its own draft-cavage
HTTP-signature code, so a pass means Verkosto talks to software it did not shape:

1. Serves a Person actor at http://localhost:B/actor (RSA-2048 key from bovine).
2. --handle: WebFinger lookup; answer must be application/jrd+json and its `self`
   link (application/activity+json) must equal --follow.
3. GETs the group: a `Group` with inbox, followers, publicKey.publicKeyPem, and
   publicKey must survive JSON-LD expansion (strict readers drop undefined terms).
4. POSTs a Follow to the group inbox, signed by bovine (keyId .../actor#main-key,
   headers "(request-target) host date digest content-type", Digest: SHA-256=...).
5. Waits for an Accept of that Follow at /inbox; bovine verifies Digest and the
   signature (key fetched from keyId). Answers 202 if valid, 401 otherwise.
6. --unfollow: sends a signed Undo{Follow} and records its status.

Prints one JSON line on stdout; exit 0 only if every check passed. Logs go to stderr.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
from urllib.parse import urldefrag

try:
    import aiohttp
    from aiohttp import web
    from pyld import jsonld
    from bovine.clients.signed_http import SignedHttpClient, legacy_digest_method_uppercase
    from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
    from bovine.crypto.types import CryptographicIdentifier
    from bovine.models import JrdData
except ImportError as e:  # still honour the one-JSON-line contract
    print(json.dumps({"errors": [f"{e}; pip install -r tests/interop/requirements.txt"]}))
    sys.exit(1)

AP_JSON = "application/activity+json"
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SEC_CONTEXT = "https://w3id.org/security/v1"
SEC = "https://w3id.org/security#"
# The terms of https://w3id.org/security/v1 that actors use (no network here).
SEC_V1_SUBSET = {
    "id": "@id", "type": "@type", "sec": SEC,
    "owner": {"@id": "sec:owner", "@type": "@id"},
    "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
    "publicKeyPem": "sec:publicKeyPem",
}
log = logging.getLogger("fedi_peer")


def offline_document_loader():
    """JSON-LD loader serving bovine's bundled ActivityStreams context offline.

    Importing bovine.jsonld creates bovine_jsonld_cache.sqlite in the CWD and
    installs a loader that goes to the network, so import it from a temp dir
    and replace the loader. Unknown context URLs resolve to an empty context."""
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            import bovine.jsonld as bovine_jsonld
        finally:
            os.chdir(cwd)
    known = {AS_CONTEXT: bovine_jsonld.activitystreams_context, SEC_CONTEXT: SEC_V1_SUBSET}

    def load(url, options=None):
        if url not in known:
            log.warning("unknown JSON-LD context %s treated as empty", url)
        return {"contentType": "application/ld+json", "contextUrl": None,
                "documentUrl": url, "document": {"@context": known.get(url, {})}}

    jsonld.set_document_loader(load)
    return load


class Peer:
    def __init__(self, port, session):
        self.base = f"http://localhost:{port}"
        self.actor_id = f"{self.base}/actor"
        self.key_id = f"{self.actor_id}#main-key"
        self.follow_id = f"{self.base}/follows/1"
        self.session = session
        self.public_pem, private_pem = generate_rsa_public_private_key()
        self.client = SignedHttpClient(session, self.key_id, private_pem,
                                       digest_method=legacy_digest_method_uppercase)
        self.validate = build_validate_http_signature_raw(self.fetch_key)
        self.accept = asyncio.get_running_loop().create_future()

    def actor(self):
        return {
            "@context": [AS_CONTEXT, SEC_CONTEXT], "id": self.actor_id, "type": "Person",
            "preferredUsername": "peer", "inbox": f"{self.base}/inbox",
            "outbox": f"{self.base}/outbox",
            "publicKey": {"id": self.key_id, "owner": self.actor_id,
                          "publicKeyPem": self.public_pem},
        }

    async def get_actor(self, request):
        return web.Response(body=json.dumps(self.actor()).encode(), content_type=AP_JSON)

    async def fetch_key(self, key_id):
        """bovine key_retriever: GET the keyId document, return its publicKey."""
        async with self.session.get(urldefrag(key_id)[0], headers={"Accept": AP_JSON}) as r:
            doc = await r.json(content_type=None)
        keys = doc.get("publicKey", doc)
        keys = keys if isinstance(keys, list) else [keys]
        key = next((k for k in keys if isinstance(k, dict) and k.get("id") == key_id), None)
        if key is None:
            log.warning("no publicKey with id %s in %s", key_id, doc.get("id"))
            return None
        return CryptographicIdentifier.from_public_key(key)

    async def post_inbox(self, request):
        body = await request.read()
        log.info("inbox POST headers: %s", dict(request.headers))

        async def get_body():
            return body
        controller = await self.validate(request.method, str(request.url), request.headers, get_body)
        try:
            activity = json.loads(body)
        except ValueError:
            activity = {}
        obj = activity.get("object")
        obj_id = obj.get("id") if isinstance(obj, dict) else obj
        if activity.get("type") == "Accept" and obj_id == self.follow_id and not self.accept.done():
            self.accept.set_result((activity, controller, request.headers.get("Signature", "")))
        log.info("inbox %s from %s: signature %s", activity.get("type"),
                 activity.get("actor"), "valid" if controller else "INVALID")
        return web.Response(status=202 if controller else 401)


async def check_webfinger(session, handle, follow_url, errors):
    host = handle.split("@", 1)[1]
    url = f"http://{host}/.well-known/webfinger"
    async with session.get(url, params={"resource": f"acct:{handle}"}) as r:
        ctype = r.headers.get("Content-Type", "")
        text = await r.text()
    if r.status != 200:
        errors.append(f"webfinger status {r.status}")
        return False
    if ctype.split(";")[0].strip() != "application/jrd+json":
        errors.append(f"webfinger Content-Type {ctype!r}, want application/jrd+json")
    jrd = JrdData.model_validate_json(text)
    selfs = [ln.href for ln in jrd.links or [] if ln.rel == "self" and ln.type == AP_JSON]
    if selfs != [follow_url]:
        errors.append(f"webfinger self links {selfs}, want [{follow_url}]")
    return not any(e.startswith("webfinger") for e in errors)


async def fetch_group(session, follow_url, loader, errors):
    async with session.get(follow_url, headers={"Accept": AP_JSON}) as r:
        status, ctype = r.status, r.headers.get("Content-Type", "")
        group = await r.json(content_type=None) if status == 200 else None
    if group is None:
        errors.append(f"group GET status {status}")
        return None, False
    before = len(errors)
    if not ctype.startswith(AP_JSON) and "ld+json" not in ctype:
        errors.append(f"group Content-Type {ctype!r}")
    if group.get("type") != "Group":
        errors.append(f"group type {group.get('type')!r}, want Group")
    for field in ("id", "inbox", "followers"):
        if not isinstance(group.get(field), str):
            errors.append(f"group lacks {field}")
    if not (group.get("publicKey") or {}).get("publicKeyPem"):
        errors.append("group lacks publicKey.publicKeyPem")
    try:
        node = jsonld.expand(group, {"documentLoader": loader})[0]
        pk = node.get(SEC + "publicKey", [{}])[0]
        if SEC + "publicKeyPem" not in pk:
            errors.append("publicKey/publicKeyPem lost in JSON-LD expansion (check @context)")
    except Exception as e:  # pyld raises JsonLdError subclasses
        errors.append(f"JSON-LD expansion failed: {e}")
    return group, len(errors) == before


async def run(args):
    out = {"webfinger_ok": None, "group_ok": False, "follow_status": None,
           "accept_received": False, "accept_signature_valid": False,
           "accept_actor": None, "errors": []}
    errors = out["errors"]
    loader = offline_document_loader()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        peer = Peer(args.port, session)
        app = web.Application()
        app.router.add_get("/actor", peer.get_actor)
        app.router.add_post("/inbox", peer.post_inbox)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", args.port).start()
        try:
            if args.handle:
                out["webfinger_ok"] = await check_webfinger(session, args.handle, args.follow, errors)
            group, out["group_ok"] = await fetch_group(session, args.follow, loader, errors)
            if group and isinstance(group.get("inbox"), str):
                follow = {"@context": AS_CONTEXT, "id": peer.follow_id, "type": "Follow",
                          "actor": peer.actor_id, "object": group.get("id")}
                async with await peer.client.post(group["inbox"], json.dumps(follow)) as r:
                    out["follow_status"] = r.status
                    log.info("Follow -> %s: %s %s", group["inbox"], r.status, await r.text())
                if not 200 <= r.status < 300:
                    errors.append(f"Follow POST status {r.status}")
                try:
                    accept, controller, sig = await asyncio.wait_for(peer.accept, args.timeout)
                    out["accept_received"] = True
                    out["accept_signature_header"] = sig
                    out["accept_actor"] = accept.get("actor")
                    out["accept_signature_valid"] = controller is not None
                    if controller is None:
                        errors.append("Accept HTTP signature did not verify")
                    elif controller != accept.get("actor") or controller != group.get("id"):
                        errors.append(f"Accept signed by {controller}, actor {accept.get('actor')}")
                except asyncio.TimeoutError:
                    errors.append(f"no Accept within {args.timeout}s")
                if args.unfollow and out["accept_received"]:
                    undo = {"@context": AS_CONTEXT, "id": f"{peer.follow_id}/undo", "type": "Undo",
                            "actor": peer.actor_id, "object": follow}
                    async with await peer.client.post(group["inbox"], json.dumps(undo)) as r:
                        out["undo_status"] = r.status
                    if not 200 <= r.status < 300:
                        errors.append(f"Undo POST status {r.status}")
        except Exception as e:
            log.exception("peer run failed")
            errors.append(f"{type(e).__name__}: {e}")
        finally:
            await asyncio.sleep(0.2)  # let the Accept's 202 go out
            await runner.cleanup()
    ok = (not errors and out["webfinger_ok"] is not False and out["group_ok"]
          and out["accept_received"] and out["accept_signature_valid"])
    return out, ok


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True, help="port B this peer serves on")
    p.add_argument("--follow", required=True, help="group actor URL, http://localhost:A/c/NAME")
    p.add_argument("--handle", help="NAME@localhost:A to resolve via WebFinger first")
    p.add_argument("--timeout", type=float, default=30, help="seconds to wait for the Accept")
    p.add_argument("--unfollow", action="store_true", help="send Undo{Follow} after the Accept")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="fedi_peer %(levelname)s %(name)s: %(message)s")
    out, ok = asyncio.run(run(args))
    print(json.dumps(out), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
