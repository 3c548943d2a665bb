// A real OpenID Connect provider for the browser tests: the npm package oidc-provider
// with its development login and consent pages, on 127.0.0.1 only.
//
//   node provider.mjs            reads its set-up as JSON from the OIDC_TEST_CONFIG
//                                environment variable:
//   { "port": 0,                 0 picks a free port
//     "clients": [ { client_id, client_secret?, redirect_uris, token_endpoint_auth_method,
//                    jwks? } ],
//     "accounts": { "<login>": { "acr": "...", "claims": { ...claims } } } }
//
// Prints "READY <issuer>" on stdout once it listens. Any login name is accepted on the
// login page (password ignored); known names get their claims, others a plain account.
import { createServer } from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || "{}");
const accounts = config.accounts || {};
const ACR_VALUES = ["urn:townhall:test:basic", "urn:townhall:test:identity-verified"];

const server = createServer();
await new Promise((resolve) => server.listen(config.port || 0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: (config.clients || []).map((client) => ({
    grant_types: ["authorization_code"],
    response_types: ["code"],
    ...client,
  })),
  acrValues: ACR_VALUES,
  claims: {
    acr: null,
    auth_time: null,
    sid: null,
    iss: null,
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "preferred_username"],
  },
  pkce: { required: () => true },
  cookies: { keys: ["townhall-test-provider-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accounts[id] || {};
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...(account.claims || {}) };
      },
    };
  },
});

// The development login page only says who signed in; give the session the account's
// `acr` (how sure the provider is of the person) as a real provider would.
const finish = provider.interactionFinished.bind(provider);
provider.interactionFinished = (req, res, result, options) => {
  if (result?.login) {
    const acr = accounts[result.login.accountId]?.acr;
    result.login.acr = acr || ACR_VALUES[0];
  }
  return finish(req, res, result, options);
};

server.on("request", provider.callback());
process.stdout.write(`READY ${issuer}\n`);
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
