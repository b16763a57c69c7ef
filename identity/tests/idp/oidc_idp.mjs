// A real OpenID Connect provider for the tests: panva's oidc-provider (package.json pins it), on
// 127.0.0.1 at the port given, with one confidential client and a few people. Its own login page
// (devInteractions) signs in whoever types a known login; the password must be "secret".
//
//   node identity/tests/idp/oidc_idp.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI[,REDIRECT_URI...]
//
// Prints "ready <issuer>" on stdout once it listens. Stopped by the tests with SIGTERM to its pid.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const people = {
  alice: { email: 'alice@acme.test', email_verified: true, name: 'Alice Acme', groups: ['engineering', 'admins'] },
  bob: { email: 'bob@acme.test', email_verified: false, name: 'Bob Unverified', groups: [] },
  carol: { email: 'carol@elsewhere.test', email_verified: true, name: 'Carol Elsewhere', groups: [] },
  dave: { email: 'dave@acme.test', email_verified: true, name: 'Dave Existing', groups: [] },
};

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris.split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['slackclone-test-idp-cookie-key'] },
  async findAccount(ctx, id) {
    const person = people[id];
    if (!person) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...person }; } };
  },
};

const provider = new Provider(issuer, configuration);
// The login page's password check: devInteractions takes any password, these tests want one.
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && /^\/interaction\/[^/]+$/.test(ctx.path)) {
    let raw = '';
    for await (const chunk of ctx.req) raw += chunk;
    const form = new URLSearchParams(raw);
    if (form.get('prompt') === 'login' && (!people[form.get('login')] || form.get('password') !== 'secret')) {
      ctx.status = 401;
      ctx.body = 'wrong login or password';
      return;
    }
    ctx.req.body = raw; // oidc-provider reads an already-read body from here
  }
  await next();
});

const server = provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
