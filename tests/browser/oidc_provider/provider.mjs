// A real OpenID Connect provider (panva's oidc-provider) for the browser tests, on loopback.
//
//   node provider.mjs PORT ACCOUNTS_JSON CLIENT_JSON
//
// ACCOUNTS_JSON is read at every sign-in, so a test changes a person's groups, second factor or
// existence at the provider by rewriting it:
//   {"anna": {"claims": {"name": "Anna", "email": "anna@stad.test", "groups": ["sg-ut"]},
//             "amr": ["pwd", "mfa"], "acr": "..."}}
// CLIENT_JSON is the one client (the application): client_id, client_secret, redirect_uris,
// post_logout_redirect_uris.
// The sign-in page asks for a user name only (there is no password at this provider); a name
// not in ACCOUNTS_JSON is refused. Sign-out at the provider asks "Sign out?" with a button.

import fs from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const [port, accountsPath, clientPath] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const accounts = () => JSON.parse(fs.readFileSync(accountsPath, 'utf8'));
const client = JSON.parse(fs.readFileSync(clientPath, 'utf8'));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`;

const provider = new Provider(issuer, {
  clients: [{
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  }],
  pkce: { required: () => true, methods: ['S256'] },
  cookies: { keys: ['samverkan-test-provider'] },
  claims: {
    // The authentication methods (amr) and context (acr) in every ID token: whether the
    // provider asked for a second factor.
    openid: ['sub', 'amr', 'acr'],
    profile: ['name', 'given_name', 'family_name'],
    email: ['email'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  // The claims in the ID token itself, as Entra ID sends groups.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Sign out?', `${form}<button form="op.logoutForm" name="logout"
          value="yes" type="submit">Sign out</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Signed out', '<p>You are signed out at the provider.</p>');
      },
    },
  },
  findAccount: async (ctx, id) => {
    const account = accounts()[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  // A first-party application: no consent page.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, IdToken: 600 },
});

const readForm = (req) => new Promise((resolve) => {
  let data = '';
  req.on('data', (chunk) => { data += chunk; });
  req.on('end', () => resolve(new URLSearchParams(data)));
});

const interaction = async (req, res) => {
  const details = await provider.interactionDetails(req, res);
  const uid = details.uid;
  if (req.method === 'POST') {
    const login = (await readForm(req)).get('login') || '';
    const account = accounts()[login];
    if (account) {
      const result = { login: { accountId: login, amr: account.amr || ['pwd'], acr: account.acr } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    res.statusCode = 200;
  }
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  const error = req.method === 'POST' ? '<p role="alert">No such person here.</p>' : '';
  res.end(page('Provider sign-in', `${error}<form method="post" action="/interaction/${uid}">
    <label>User name <input name="login" autofocus></label>
    <button type="submit">Sign in at the provider</button></form>`));
};

const callback = provider.callback();
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.statusCode = 400;
      res.end(page('Error', escape(error.message)));
    });
  } else {
    callback(req, res);
  }
}).listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
