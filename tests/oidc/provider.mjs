// A real OpenID Connect provider for the company sign-in tests (tests/company_sign_in.rs): panva's
// certified `oidc-provider`, one confidential client (client_secret_basic, PKCE required by default),
// and people of a company. Logging in is a chain of redirects: the interaction below logs in the
// person named by `--login` and grants the scopes asked for, as a person clicking through would.
//
//   node provider.mjs --port P --redirect http://localhost:Q/auth/oidc/callback --login alice
import Provider from "oidc-provider";

const arg = (name) => process.argv[process.argv.indexOf(`--${name}`) + 1];
const port = Number(arg("port"));
const people = {
  alice: { email: "alice@intunex.example", email_verified: true, preferred_username: "alice", name: "Alice Aalto", groups: ["henkilosto"] },
  bob: { email: "bob@elsewhere.example", email_verified: true, preferred_username: "bob", name: "Bob Berg", groups: ["vieraat"] },
};
let login = arg("login");

const provider = new Provider(`http://localhost:${port}`, {
  clients: [{
    client_id: "verkosto",
    client_secret: "yrityksen-salaisuus",
    redirect_uris: [arg("redirect")],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  // `groups` as Keycloak and others send it, with the profile (in the userinfo answer).
  claims: { email: ["email", "email_verified"], profile: ["preferred_username", "name", "groups"] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    return { accountId: id, claims: async () => ({ sub: id, ...people[id] }) };
  },
});

provider.use(async (ctx, next) => {
  if (ctx.method === "POST" && ctx.path === "/test/login") {
    // The tests switch who logs in next.
    login = ctx.query.as;
    ctx.body = "ok";
    return;
  }
  if (!ctx.path.startsWith("/interaction/")) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.prompt.name === "login") {
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
});

provider.listen(port, () => console.log("ready"));
