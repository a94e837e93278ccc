/**
 * Real services for registry integration tests, started by the tests themselves: Debian's
 * distribution registry (/usr/bin/docker-registry) on a random loopback port with storage in a
 * temp dir, optionally behind TLS (a CA made with openssl), htpasswd (bcrypt via `htpasswd -B`)
 * or token auth (the test's own JWT issuer, validated by the real registry).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, createSign, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';

export const REGISTRY_BIN = process.env.LAYERLENS_REGISTRY_BIN ?? '/usr/bin/docker-registry';

export function which(tool: string): string | undefined {
  if (tool.includes('/')) return existsSync(tool) ? tool : undefined;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(dir || '.', tool);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Why these tests cannot run here (a missing tool), or undefined. */
export function missingTools(...tools: string[]): string | undefined {
  const missing = tools.map((t) => (t === 'docker-registry' ? REGISTRY_BIN : t)).filter((t) => !which(t));
  return missing.length
    ? `needs ${missing.join(', ')} (Debian packages docker-registry, skopeo, openssl, apache2-utils)`
    : undefined;
}

export function run(
  file: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: opts.env ?? process.env, cwd: opts.cwd, maxBuffer: 64 << 20, timeout: 10 * 60_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
        else resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end(opts.input);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- PKI

export interface Pki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Self-signed RSA certificate the token issuer signs with (the registry's rootcertbundle). */
  tokenCert: string;
  tokenKey: string;
}

export async function makePki(dir: string): Promise<Pki> {
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  const days = '2';
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    days,
    '-subj',
    '/CN=layerlens test CA',
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=localhost',
  ]);
  writeFileSync(
    f('server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    days,
    '-extfile',
    f('server.ext'),
  ]);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('token.key'),
    '-out',
    f('token.crt'),
    '-days',
    days,
    '-subj',
    '/CN=layerlens test token issuer',
  ]);
  return {
    dir,
    caCert: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    tokenCert: f('token.crt'),
    tokenKey: f('token.key'),
  };
}

// ---------------------------------------------------------------- registry

export interface RegistryOptions {
  dir: string;
  tls?: Pki;
  htpasswd?: { user: string; password: string };
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  deleteEnabled?: boolean;
}

export interface RunningRegistry {
  host: string;
  port: number;
  storage: string;
  /** The server's process id (a benchmark reads the CPU time it spends serving). */
  pid: number;
  /** Path of a blob's data file in the registry's storage. */
  blobFile(digest: string): string;
  stop(): Promise<void>;
  log(): string;
}

export async function startRegistry(o: RegistryOptions): Promise<RunningRegistry> {
  mkdirSync(o.dir, { recursive: true });
  const storage = path.join(o.dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    `    enabled: ${o.deleteEnabled ? 'true' : 'false'}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (o.tls) lines.push('  tls:', `    certificate: ${o.tls.serverCert}`, `    key: ${o.tls.serverKey}`);
  if (o.htpasswd) {
    const file = path.join(o.dir, 'htpasswd');
    await run('htpasswd', ['-Bbn', o.htpasswd.user, o.htpasswd.password]).then(({ stdout }) =>
      writeFileSync(file, stdout),
    );
    lines.push('auth:', '  htpasswd:', '    realm: layerlens-test', `    path: ${file}`);
  } else if (o.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${o.token.realm}`,
      `    service: ${o.token.service}`,
      `    issuer: ${o.token.issuer}`,
      `    rootcertbundle: ${o.token.rootCertBundle}`,
    );
  }
  const config = path.join(o.dir, 'config.yml');
  writeFileSync(config, lines.join('\n') + '\n');
  let log = '';
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const scheme = o.tls ? 'https' : 'http';
  const ca = o.tls ? readFileSync(o.tls.caCert) : undefined;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log.slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const mod = scheme === 'https' ? https : http;
      const req = mod.get(`${scheme}://127.0.0.1:${port}/v2/`, { ca, agent: false }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(1000, () => req.destroy());
    });
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    storage,
    pid: child.pid!,
    blobFile: (digest) => {
      const hex = digest.slice('sha256:'.length);
      return path.join(storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

// ---------------------------------------------------------------- token issuer

export interface TokenIssuer {
  url: string;
  service: string;
  issuer: string;
  /** Every token request: scopes asked, who (undefined = anonymous), method. */
  requests: Array<{ method: string; account?: string; scopes: string[]; authorized: boolean }>;
  /** Lifetime of issued tokens (seconds), adjustable per test. */
  expiresIn: number;
  stop(): Promise<void>;
}

function b64url(x: Buffer | string): string {
  return Buffer.from(x).toString('base64url');
}

/**
 * A minimal Docker token service: Basic credentials for `users` get every action they ask for;
 * anonymous clients get a token with no access (the registry then answers 401, as Docker Hub does
 * for private repositories). Tokens are RS256 JWTs with the signing certificate in `x5c`, which
 * distribution verifies against `rootcertbundle`.
 */
export async function startTokenIssuer(
  pki: Pki,
  users: Record<string, string>,
  opts: { anonymousPull?: boolean; refreshTokens?: Record<string, string> } = {},
): Promise<TokenIssuer> {
  const key = createPrivateKey(readFileSync(pki.tokenKey));
  const certDer = new X509Certificate(readFileSync(pki.tokenCert)).raw;
  const service = 'layerlens-test-registry';
  const issuer = 'layerlens-test-issuer';
  const state: TokenIssuer = { url: '', service, issuer, requests: [], expiresIn: 300, stop: async () => {} };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
      const scopes = params
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .filter(Boolean);
      let account: string | undefined;
      let authorized = false;
      const auth = req.headers.authorization;
      if (req.method === 'POST' && params.get('grant_type') === 'refresh_token') {
        // OAuth2 refresh-token grant (Docker identity tokens).
        account = opts.refreshTokens?.[params.get('refresh_token') ?? ''];
        if (!account) {
          state.requests.push({ method: 'POST', scopes, authorized: false });
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad refresh token"}');
          return;
        }
        authorized = true;
      } else if (auth?.startsWith('Basic ')) {
        const [u, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
        account = u;
        if (users[u] === undefined || users[u] !== rest.join(':')) {
          state.requests.push({ method: req.method ?? 'GET', account, scopes, authorized: false });
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
          return;
        }
        authorized = true;
      }
      state.requests.push({ method: req.method ?? 'GET', account, scopes, authorized });
      const access = scopes
        .map((s) => {
          const parts = s.split(':');
          const actions = parts.pop()!.split(',');
          const type = parts.shift()!;
          return { type, name: parts.join(':'), actions };
        })
        .map((a) => ({
          ...a,
          actions: authorized ? a.actions : opts.anonymousPull ? a.actions.filter((x) => x === 'pull') : [],
        }));
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
      const claims = {
        iss: issuer,
        sub: account ?? '',
        aud: service,
        exp: now + Math.max(state.expiresIn, 60),
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      };
      const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const sig = createSign('RSA-SHA256').update(signingInput).sign(key);
      const token = `${signingInput}.${b64url(sig)}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          token,
          access_token: token,
          expires_in: state.expiresIn,
          issued_at: new Date().toISOString(),
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/token`;
  state.stop = () => new Promise((r) => server.close(() => r()));
  return state;
}

// ---------------------------------------------------------------- proxy

export interface ProxyHit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestProxy {
  host: string;
  hits: ProxyHit[];
  stop(): Promise<void>;
}

/**
 * A forwarding proxy in front of a plain-HTTP registry. `intercept` may answer a request itself
 * (return true) — 307 redirects, 429s, 503s, cut connections — everything else is forwarded.
 */
export async function startProxy(
  target: string,
  intercept?: (req: http.IncomingMessage, res: http.ServerResponse, hit: number) => boolean,
): Promise<TestProxy> {
  const hits: ProxyHit[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    if (intercept?.(req, res, hits.length)) return;
    const up = http.request(
      `http://${target}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: target }, agent: false },
      (ures) => {
        res.writeHead(ures.statusCode ?? 502, rewriteHeaders(ures.headers, target, server));
        ures.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    host,
    hits,
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function rewriteHeaders(h: http.IncomingHttpHeaders, target: string, server: http.Server): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = { ...h };
  const me = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  if (typeof out.location === 'string') out.location = out.location.replace(target, me);
  return out;
}

/** A static "CDN": serves registry blobs from its storage dir, recording request headers. */
export async function startBlobCdn(reg: RunningRegistry): Promise<TestProxy> {
  const hits: ProxyHit[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const m = /\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '');
    if (!m || !existsSync(reg.blobFile(m[1]))) {
      res.writeHead(404).end();
      return;
    }
    const data = readFileSync(reg.blobFile(m[1]));
    res.writeHead(200, { 'content-length': data.length, 'content-type': 'application/octet-stream' }).end(data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    hits,
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function sha256hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
