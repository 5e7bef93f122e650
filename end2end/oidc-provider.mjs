// A real OpenID provider for the browser tests: npm `oidc-provider` (an
// OpenID Certified implementation) on loopback, with one client for
// Keyward. Its development interactions give the login and consent pages
// Playwright goes through; any login is accepted, and the login is the
// person's email (verified, unless it starts with "unverified").
//
//   OIDC_PORT=… OIDC_REDIRECT_URI=… OIDC_CLIENT_SECRET_FILE=… node oidc-provider.mjs
//
// Started and stopped by scripts/e2e.sh; never used outside the tests.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const redirectUri = process.env.OIDC_REDIRECT_URI;
const secretFile = process.env.OIDC_CLIENT_SECRET_FILE;
if (!port || !redirectUri || !secretFile) {
  throw new Error('OIDC_PORT, OIDC_REDIRECT_URI and OIDC_CLIENT_SECRET_FILE must be set');
}
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'keyward',
      client_secret: readFileSync(secretFile, 'utf8').trim(),
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['keyward-end2end-only'] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: `sub-${id}`, email: id, email_verified: !id.startsWith('unverified'), name: id.split('@')[0] };
      },
    };
  },
});
// The provider's own warnings (development keys and interactions) are expected here.
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider is listening on ${issuer}`);
});
