// A Fedify peer on a loopback port, driven by tests/fedify_interop.rs over HTTP.
//
// It signs with Fedify's own signRequest and checks what arrives with Fedify's own verifyRequest, so the
// RFC 9421 (and draft-cavage) code under test on the other side is Fedify's, not ours.
//   GET  /actor            its Person document (an RSA key made at start-up)
//   POST /inbox            verifyRequest; 202 when it verifies, else 401. With {"refuse9421": true} set
//                          through /control/mode it answers 401 to every RFC 9421 request unverified,
//                          as Mastodon before 4.5 does.
//   GET  /control/received what arrived at /inbox: [{spec, verified, type, status}]
//   POST /control/mode     {"refuse9421": bool}
//   POST /control/send     {"inbox", "activity"}: Fedify's double knock (RFC 9421 first, draft-cavage after
//                          a 4xx, as Fedify's own doubleKnock does); answers {"knocks": [{spec, status}]}
//   POST /control/sign     {"url", "body", "spec", "digest_body"?, "ago_secs"?, "key_id"?}: only the signed
//                          headers, for tests that tamper with them
// Prints "ready <port>" once listening.
import http from "node:http";
import { signRequest, verifyRequest, generateCryptoKeyPair } from "@fedify/fedify/sig";
import { getDocumentLoader, exportSpki } from "@fedify/fedify/runtime";

const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
const base = `http://localhost:${port}`;
const actorId = `${base}/actor`;
const keyId = new URL(`${actorId}#main-key`);
const { privateKey, publicKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const publicKeyPem = await exportSpki(publicKey);
const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
const received = [];
let refuse9421 = false;

const actor = {
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  id: actorId,
  type: "Person",
  preferredUsername: "fedify",
  inbox: `${base}/inbox`,
  publicKey: { id: keyId.href, type: "CryptographicKey", owner: actorId, publicKeyPem },
};

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

function toRequest(req, body) {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  return new Request(`${base}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
}

// Signs a POST of `body` to `url` with Fedify's signRequest. For tests of refusals: `digestBody` is what
// the Content-Digest is computed from (a sender lying about its body), `agoSecs` backdates the signature,
// and `asKeyId` names another key id than ours.
async function signed(url, body, spec, { digestBody, agoSecs, asKeyId } = {}) {
  const request = new Request(url, {
    method: "POST",
    headers: { "content-type": "application/activity+json", accept: "application/activity+json" },
    body,
  });
  const ms = Date.now() - 1000 * (agoSecs ?? 0);
  // Fedify reads only these two members of its Temporal.Instant.
  const currentTime = { epochMilliseconds: ms, toString: () => new Date(ms).toISOString() };
  return await signRequest(request, privateKey, asKeyId ? new URL(asKeyId) : keyId, {
    spec,
    currentTime,
    body: new TextEncoder().encode(digestBody ?? body).buffer,
  });
}

async function doubleKnock(url, body) {
  const knocks = [];
  for (const spec of ["rfc9421", "draft-cavage-http-signatures-12"]) {
    const response = await fetch(await signed(url, body, spec), { redirect: "manual" });
    knocks.push({ spec, status: response.status });
    if (response.status < 400) break;
  }
  return knocks;
}

function json(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

const server = http.createServer(async (req, res) => {
  try {
    const body = await readBody(req);
    const path = req.url.split("?")[0];
    if (req.method === "GET" && path === "/actor") {
      res.writeHead(200, { "content-type": "application/activity+json" });
      return res.end(JSON.stringify(actor));
    }
    if (req.method === "POST" && path === "/inbox") {
      const spec = req.headers["signature-input"] ? "rfc9421" : "draft-cavage";
      let type = null;
      try { type = JSON.parse(body.toString()).type; } catch { /* not JSON */ }
      if (spec === "rfc9421" && refuse9421) {
        received.push({ spec, verified: false, type, status: 401 });
        return json(res, 401, { error: "RFC 9421 not supported here" });
      }
      const key = await verifyRequest(toRequest(req, body), { documentLoader, contextLoader: documentLoader });
      const ok = key != null && key.ownerId?.href === (JSON.parse(body.toString()).actor ?? "");
      const status = ok ? 202 : 401;
      received.push({ spec, verified: key != null, owner_matches: ok, type, status });
      return json(res, status, {});
    }
    if (req.method === "GET" && path === "/control/received") return json(res, 200, received);
    if (req.method === "POST" && path === "/control/mode") {
      refuse9421 = Boolean(JSON.parse(body.toString()).refuse9421);
      return json(res, 200, { refuse9421 });
    }
    if (req.method === "POST" && path === "/control/send") {
      const { inbox, activity } = JSON.parse(body.toString());
      return json(res, 200, { knocks: await doubleKnock(inbox, JSON.stringify(activity)) });
    }
    if (req.method === "POST" && path === "/control/sign") {
      const { url, body: payload, spec, digest_body, ago_secs, key_id } = JSON.parse(body.toString());
      const request = await signed(url, payload, spec, { digestBody: digest_body, agoSecs: ago_secs, asKeyId: key_id });
      return json(res, 200, Object.fromEntries(request.headers.entries()));
    }
    res.writeHead(404);
    res.end();
  } catch (e) {
    json(res, 500, { error: String(e?.stack ?? e) });
  }
});
server.listen(port, "127.0.0.1", () => console.log(`ready ${port}`));
