/**
 * A misbehaving registry on loopback against the whole CLI (issue 13): slow (a manifest, headers,
 * a token, a config, a blob at a few bytes per second), silent (accepts, never answers: at the
 * ping, the manifest, a blob; over HTTP and TLS), oversized (manifests, configs, tokens, headers,
 * error bodies, layer counts), looping (redirects, 401s, a catalog whose next link points back),
 * lying about lengths (short bodies, long bodies, blobs shorter or longer than the manifest says)
 * and digests (Docker-Content-Digest, blobs, configs), and documents of the wrong shape.
 *
 * Each case runs `layerlens inspect` (or `registry audit`) in a child process with --timeout 2s
 * and asserts: exit 2 with one plain line (no stack, no bytes of a body quoted), or the correct
 * result; a bounded time; a bounded peak RSS measured in the child.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { sha256 } from '../../src/engine/build-tar.js';
import { runMeasured, type Measured } from '../support/measured-cli.js';
import { buildImage, type BuiltManifest } from '../support/oci-image.js';
import { startImageServer, startServer, type Fault, type TestServer } from '../support/registry-server.js';

/** Every body the hostile server makes up carries this: no error message may quote it. */
const MARKER = 'HOSTILE-BODY-MARKER';
/** Under tsx a child starts in ~1-2 s; --timeout 2s (room for a loaded machine); a few retries. */
const TIME_LIMIT_MS = 20_000;
/** tsx alone is ~100-150 MB; bounded means far below the sizes the server offers. */
const RSS_LIMIT_MB = 350;

let img: BuiltManifest;
const servers: TestServer[] = [];

before(async () => {
  img = await buildImage([
    { entries: [{ name: 'etc/os-release', content: 'ID=hostile\n' }] },
    { entries: [{ name: 'opt/app/data.bin', content: Buffer.alloc(300_000, 1) }], compress: 'none' },
  ]);
});
after(async () => {
  for (const s of servers) await s.stop();
});

const isManifest = (req: http.IncomingMessage) => /\/manifests\/v1$/.test(req.url ?? '');
const isConfig = (req: http.IncomingMessage) => req.url?.endsWith(`/blobs/${img.config.digest}`);
const isLayer = (req: http.IncomingMessage, i = 1) => req.url?.endsWith(`/blobs/${img.layers[i].digest}`);

/** Write `body` one byte at a time, every `everyMs`. */
function trickle(res: http.ServerResponse, body: Buffer, everyMs = 100): void {
  let i = 0;
  const t = setInterval(() => {
    if (i >= body.length) return (clearInterval(t), void res.end());
    res.write(body.subarray(i, ++i));
  }, everyMs);
  res.on('close', () => clearInterval(t));
}

/** Write `chunk` for ever, at the pace the client reads. */
function endless(res: http.ServerResponse, chunk: Buffer): void {
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

/** A manifest body of our making, served with its true digest. */
function serveManifest(res: http.ServerResponse, doc: unknown): void {
  const body = Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));
  res
    .writeHead(200, {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
      'content-length': body.length,
      'docker-content-digest': sha256(body),
    })
    .end(body);
}

function manifestWith(patch: (m: Record<string, unknown>) => void): Record<string, unknown> {
  const m = JSON.parse(img.manifest.data.toString()) as Record<string, unknown>;
  patch(m);
  return m;
}

/** A Bearer registry whose token service (same host, /token) answers with `token`. */
function bearer(token: (req: http.IncomingMessage, res: http.ServerResponse) => void): Fault {
  return (req, res) => {
    if (req.url?.startsWith('/token')) return (token(req, res), true);
    if (req.headers.authorization === 'Bearer good') return false;
    res
      .writeHead(401, {
        'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="hostile"`,
      })
      .end();
    return true;
  };
}

async function serve(fault: Fault): Promise<TestServer> {
  const s = await startImageServer({ image: img, repository: 'team/app', tag: 'v1', fault });
  servers.push(s);
  return s;
}

function inspect(host: string, extra: string[] = ['--plain-http']): Promise<Measured> {
  return runMeasured(['inspect', '--source', 'registry', '--timeout', '2s', ...extra, `${host}/team/app:v1`], {
    killAfterMs: 60_000,
  });
}

/** Exit 2, one plain line matching `re`, nothing of a body quoted, in bounded time and memory. */
function refused(r: Measured, re: RegExp): void {
  assert.equal(r.killed, false, `still running after ${r.ms} ms`);
  assert.equal(r.code, 2, `exit ${r.code}; stderr: ${r.stderr}; stdout: ${r.stdout.slice(0, 300)}`);
  const lines = r.stderr.trimEnd().split('\n');
  // The error is one line; before it, only the notices of retries and resumes.
  const error = lines.pop()!;
  for (const l of lines)
    assert.match(l, /; (retrying [A-Z]+|resuming at byte \d+) in \d+ ms$/, `not a retry notice: ${l}`);
  assert.match(error, /^layerlens: /);
  assert.match(error, re);
  assert.doesNotMatch(r.stderr, new RegExp(MARKER));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  bounded(r);
}

function bounded(r: Measured): void {
  assert.ok(r.ms < TIME_LIMIT_MS, `took ${Math.round(r.ms)} ms`);
  assert.ok(r.rssMb !== undefined && r.rssMb < RSS_LIMIT_MB, `peak RSS ${r.rssMb?.toFixed(0)} MB`);
}

interface Case {
  name: string;
  fault: Fault;
  expect: RegExp;
  args?: string[];
}

const cases: Case[] = [
  // --- slow
  {
    name: 'a manifest at 10 bytes per second',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(200, { 'content-type': img.manifest.mediaType, 'content-length': img.manifest.data.length });
      trickle(res, img.manifest.data);
      return true;
    },
    expect:
      /^layerlens: manifest of 127\.0\.0\.1:\d+\/team\/app:v1: 127\.0\.0\.1:\d+ (stalled while sending the body|did not finish sending the body).* \(--timeout changes it\)$/,
  },
  {
    name: 'response headers at 10 bytes per second',
    fault: (req) => {
      if (!isManifest(req)) return false;
      const head = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: x/y\r\nx-pad: ${MARKER}\r\n\r\n`);
      let i = 0;
      const t = setInterval(() => (i < head.length ? req.socket.write(head.subarray(i, ++i)) : clearInterval(t)), 100);
      req.socket.on('close', () => clearInterval(t));
      return true;
    },
    expect:
      /manifest of .*: 127\.0\.0\.1:\d+ sent no response headers within the 2 s time-out \(--timeout changes it\)$/,
  },
  {
    name: 'a token at 10 bytes per second',
    fault: bearer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      trickle(res, Buffer.from(JSON.stringify({ token: 'good', pad: MARKER })));
    }),
    expect: /token from 127\.0\.0\.1:\d+: 127\.0\.0\.1:\d+ (stalled|did not finish).*\(--timeout changes it\)$/,
  },
  {
    name: 'a config at 10 bytes per second',
    fault: (req, res) => {
      if (!isConfig(req)) return false;
      res.writeHead(200, { 'content-length': img.config.data.length });
      trickle(res, img.config.data);
      return true;
    },
    expect: /config of .*: 127\.0\.0\.1:\d+ (stalled|did not finish)/,
  },
  {
    name: 'a blob at 10 bytes per second',
    fault: (req, res) => {
      if (!isLayer(req)) return false;
      res.writeHead(200, { 'content-length': img.layers[1].data.length });
      trickle(res, img.layers[1].data);
      return true;
    },
    expect:
      /^layerlens: layer 1: blob sha256:[0-9a-f]{64}: 127\.0\.0\.1:\d+ stalled while sending the body \(less than 1 KiB in 2 s\) \(--timeout changes it\)$/,
  },
  // --- silent
  {
    name: 'silent after the ping: the manifest request is never answered',
    fault: (req) => isManifest(req),
    expect: /manifest of .*: 127\.0\.0\.1:\d+ sent no response headers within the 2 s time-out/,
  },
  {
    name: 'silent on a blob request',
    fault: (req) => !!isLayer(req),
    expect:
      /^layerlens: layer 1: blob sha256:[0-9a-f]{64}: 127\.0\.0\.1:\d+ sent no response headers within the 2 s time-out/,
  },
  {
    name: 'a blob that sends its headers and then nothing',
    fault: (req, res) => {
      if (!isLayer(req)) return false;
      res.writeHead(200, { 'content-length': img.layers[1].data.length });
      res.write(Buffer.from(MARKER));
      return true;
    },
    expect: /^layerlens: layer 1: blob sha256:[0-9a-f]{64}: .*stalled while sending the body/,
  },
  // --- oversized
  {
    name: 'a manifest declared at 100 MiB',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(200, { 'content-length': 100 << 20 });
      res.write(MARKER);
      return true;
    },
    expect: /^layerlens: manifest of .* is too large \(104857600 bytes; the limit is 4194304\)$/,
  },
  {
    name: 'an endless chunked manifest',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(200, { 'content-type': img.manifest.mediaType });
      endless(res, Buffer.alloc(256 << 10, MARKER));
      return true;
    },
    // Refused at the size limit, or (a machine too busy to move 4 MiB in 2 s) at the deadline.
    expect:
      /^layerlens: manifest of .*( is too large \(more than 4194304 bytes\)|: 127\.0\.0\.1:\d+ did not finish sending the body within the 2 s time-out .*)$/,
  },
  {
    name: 'an endless config',
    fault: (req, res) => {
      if (!isConfig(req)) return false;
      res.writeHead(200);
      endless(res, Buffer.alloc(1 << 20, MARKER));
      return true;
    },
    expect:
      /^layerlens: config of .*( is too large \(more than 16777216 bytes\)|: 127\.0\.0\.1:\d+ did not finish sending the body within the 2 s time-out .*)$/,
  },
  {
    name: 'a 10 MiB token answer',
    fault: bearer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 10 << 20 });
      res.end(Buffer.alloc(10 << 20, MARKER));
    }),
    expect: /the answer of 127\.0\.0\.1:\d+ is too large/,
  },
  {
    name: 'response headers of 64 KiB',
    fault: (req) => {
      if (!isManifest(req)) return false;
      req.socket.end(`HTTP/1.1 200 OK\r\nx-big: ${MARKER.repeat(5000)}\r\n\r\n`);
      return true;
    },
    expect: /manifest of .*: 127\.0\.0\.1:\d+: the response headers are larger than 16 KiB$/,
  },
  {
    name: 'an endless 404 body',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(404, { 'content-type': 'application/json' });
      endless(res, Buffer.alloc(1 << 20, MARKER));
      return true;
    },
    expect: /^layerlens: manifest of .*: not found on 127\.0\.0\.1:\d+$/,
  },
  {
    name: 'a manifest of 5000 layers',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      serveManifest(
        res,
        manifestWith((m) => (m.layers = Array(5000).fill((m.layers as unknown[])[0]))),
      );
      return true;
    },
    expect: /^layerlens: manifest of .*: 5000 layers \(the limit is 1000\)$/,
  },
  // --- looping
  {
    name: 'a redirect loop',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(302, { location: req.url }).end(MARKER);
      return true;
    },
    expect: /^layerlens: 127\.0\.0\.1:\d+ redirected more than 10 times \(last: 127\.0\.0\.1:\d+\)$/,
  },
  {
    name: '401 for every token',
    fault: (req, res) => {
      if (req.url?.startsWith('/token'))
        return (res.writeHead(200).end(JSON.stringify({ token: 'refused-every-time' })), true);
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="s"` })
        .end(MARKER);
      return true;
    },
    expect: /^layerlens: manifest of .*: 127\.0\.0\.1:\d+ requires authentication: run docker login/,
  },
  // --- lying about lengths
  {
    name: 'a manifest shorter than its Content-Length',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(200, { 'content-length': img.manifest.data.length + 500 });
      res.write(img.manifest.data, () => setTimeout(() => res.socket?.destroy(), 10));
      return true;
    },
    expect:
      /manifest of .*: 127\.0\.0\.1:\d+ closed the connection before the end of the body \(\d+ of the \d+ bytes it announced\)$/,
  },
  {
    name: 'a manifest longer than its Content-Length',
    fault: (req) => {
      if (!isManifest(req)) return false;
      req.socket.end(
        `HTTP/1.1 200 OK\r\ncontent-length: 20\r\ndocker-content-digest: ${img.manifest.digest}\r\n\r\n${img.manifest.data}${MARKER}`,
      );
      return true;
    },
    expect: /Docker-Content-Digest says sha256:[0-9a-f]{64} but the body hashes to sha256:[0-9a-f]{64}/,
  },
  {
    name: 'a blob shorter than the manifest says, every time',
    fault: (req, res) => {
      if (!isLayer(req)) return false;
      const short = img.layers[1].data.subarray(0, 1000);
      res.writeHead(200, { 'content-length': short.length }).end(short);
      return true;
    },
    expect: /^layerlens: layer 1: blob sha256:[0-9a-f]{64}: download failed: the blob ended after 1000 of \d+ bytes$/,
  },
  {
    name: 'a blob longer than the manifest says',
    fault: (req, res) => {
      if (!isLayer(req)) return false;
      const long = Buffer.concat([img.layers[1].data, Buffer.from(MARKER)]);
      res.writeHead(200, { 'content-length': long.length }).end(long);
      return true;
    },
    expect:
      /^layerlens: layer 1: blob sha256:[0-9a-f]{64}: the registry sent more than the \d+ bytes the manifest lists/,
  },
  // --- lying about digests
  {
    name: 'a Docker-Content-Digest that does not match the manifest',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      res
        .writeHead(200, { 'content-type': img.manifest.mediaType, 'docker-content-digest': `sha256:${'e'.repeat(64)}` })
        .end(img.manifest.data);
      return true;
    },
    expect: /Docker-Content-Digest says sha256:e{64} but the body hashes to/,
  },
  {
    name: 'blob bytes of another digest',
    fault: (req, res) => {
      if (!isLayer(req)) return false;
      const other = Buffer.from(img.layers[1].data);
      other.write(MARKER, 5000);
      res.writeHead(200, { 'content-length': other.length }).end(other);
      return true;
    },
    expect:
      /^layerlens: layer 1: blob digest mismatch: expected sha256:[0-9a-f]{64} but the registry sent data hashing to sha256:[0-9a-f]{64} \(corrupted or tampered blob\)$/,
  },
  {
    name: 'a config of another digest',
    fault: (req, res) => {
      if (!isConfig(req)) return false;
      res.writeHead(200).end(Buffer.concat([img.config.data, Buffer.from(MARKER)]));
      return true;
    },
    expect:
      /config of .*: the registry sent data hashing to sha256:[0-9a-f]{64}, not the requested sha256:[0-9a-f]{64}/,
  },
  // --- documents of the wrong shape
  {
    name: 'manifest layers that are not a list',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      serveManifest(
        res,
        manifestWith((m) => (m.layers = MARKER)),
      );
      return true;
    },
    expect: /^layerlens: manifest of .*: "layers" is not a list$/,
  },
  {
    name: 'a layer of negative size',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      serveManifest(
        res,
        manifestWith((m) => ((m.layers as Array<Record<string, unknown>>)[1].size = -512)),
      );
      return true;
    },
    expect: /manifest of .* layers\[1\]: size is not a non-negative integer$/,
  },
  {
    name: 'a digest full of terminal escapes and garbage',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      serveManifest(
        res,
        manifestWith((m) => ((m.config as Record<string, unknown>).digest = `\u001b]0;${MARKER}\u0007`)),
      );
      return true;
    },
    expect: /manifest of .* config has an invalid digest \(not sha256:, sha384: or sha512: and its hex\)$/,
  },
  {
    name: 'a manifest that is not JSON',
    fault: (req, res) => {
      if (!isManifest(req)) return false;
      serveManifest(res, `{"schemaVersion": 2, ${MARKER}`);
      return true;
    },
    expect: /^layerlens: manifest of .*: the manifest is not valid JSON \(error at byte \d+\)$/,
  },
  {
    name: 'config diff_ids that are not digests',
    fault: (req, res) => {
      if (isManifest(req)) {
        const config = Buffer.from(
          JSON.stringify({
            ...JSON.parse(img.config.data.toString()),
            rootfs: { type: 'layers', diff_ids: [42, MARKER] },
          }),
        );
        serveManifest(
          res,
          manifestWith((m) => (m.config = { ...(m.config as object), digest: sha256(config), size: config.length })),
        );
        return true;
      }
      if (req.url?.includes('/blobs/sha256:') && !isLayer(req, 0) && !isLayer(req, 1)) {
        const config = Buffer.from(
          JSON.stringify({
            ...JSON.parse(img.config.data.toString()),
            rootfs: { type: 'layers', diff_ids: [42, MARKER] },
          }),
        );
        res.writeHead(200).end(config);
        return true;
      }
      return false;
    },
    expect: /^layerlens: config of .*: rootfs\.diff_ids\[0\] is not a digest$/,
  },
  {
    name: 'a token with a line break in it',
    fault: bearer(
      (_req, res) => void res.writeHead(200).end(JSON.stringify({ token: `good\r\nX-Injected: ${MARKER}` })),
    ),
    expect: /token service 127\.0\.0\.1:\d+ answered a token with characters a header cannot carry$/,
  },
];

describe('a misbehaving registry: one plain line, bounded time and memory', { concurrency: 3 }, () => {
  for (const c of cases) {
    test(c.name, { timeout: 90_000 }, async (t) => {
      const s = await serve(c.fault);
      const r = await inspect(s.host, c.args);
      t.diagnostic(`${Math.round(r.ms)} ms, peak RSS ${r.rssMb?.toFixed(0)} MB`);
      refused(r, c.expect);
    });
  }

  test('silent from the first byte, over plain HTTP and over TLS', { timeout: 90_000 }, async () => {
    const silent = await startServer(() => {});
    servers.push(silent);
    refused(
      await inspect(silent.host),
      /^layerlens: cannot reach registry 127\.0\.0\.1:\d+ over HTTP: 127\.0\.0\.1:\d+ sent no response headers within the 2 s time-out$/,
    );
    // Without --plain-http the loopback registry is tried over TLS first: the handshake never ends.
    const net = await import('node:net');
    const tcp = net.createServer((sock) => void sock.on('error', () => {}));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    try {
      const host = `127.0.0.1:${(tcp.address() as import('node:net').AddressInfo).port}`;
      refused(
        await inspect(host, []),
        /^layerlens: cannot reach registry 127\.0\.0\.1:\d+ over HTTPS: 127\.0\.0\.1:\d+ accepted the connection but did not complete the TLS handshake within the 2 s time-out$/,
      );
    } finally {
      tcp.close();
    }
  });

  test('a healthy image from the same server: the correct result, for comparison', { timeout: 90_000 }, async () => {
    const s = await serve(() => false);
    const r = await inspect(s.host);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(registry, linux\/amd64\)/);
    assert.match(r.stdout, /#1 .* \+3 ~0 -0/);
    bounded(r);
  });
});

describe('registry audit against a looping catalog', () => {
  test('a next link that points back: distinct names counted once, the loop said, exit 0', {
    timeout: 90_000,
  }, async () => {
    const names = ['team/app', 'team/db', 'team/web'];
    let first = '';
    const s = await serve((req, res) => {
      if (!req.url?.startsWith('/v2/_catalog')) return false;
      first ||= req.url;
      const page = req.url.includes('last=') ? names.slice(1) : names.slice(0, 2);
      res
        .writeHead(200, {
          'content-type': 'application/json',
          // Page 2 links back to page 1 (the very URL asked first), which links to page 2: a loop.
          link: req.url.includes('last=') ? `<${first}>; rel="next"` : '</v2/_catalog?n=2&last=team/db>; rel="next"',
        })
        .end(JSON.stringify({ repositories: page }));
      return true;
    });
    const r = await runMeasured(['registry', 'audit', `http://${s.host}`, '--format', 'json', '--timeout', '2s']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.registry.catalog.repositories, 3);
    assert.equal(doc.registry.catalog.loop, true);
    assert.equal(doc.registry.catalog.pages, 2);
    const f = doc.findings.find((x: { ruleId: string }) => x.ruleId === 'registry-catalog-anonymous');
    assert.match(
      f.message,
      /lists 3 repositories .* over 2 pages \(its next link loops back to pages already read: each name is counted once\)/,
    );
    bounded(r);
    const catalogHits = s.hits.filter((h) => h.url.startsWith('/v2/_catalog')).length;
    assert.equal(catalogHits, 2);
  });

  test('a catalog page that repeats itself under new links ends as a loop too; a page of junk is an error fact', {
    timeout: 90_000,
  }, async () => {
    let n = 0;
    const s = await serve((req, res) => {
      if (!req.url?.startsWith('/v2/_catalog')) return false;
      n++;
      res
        .writeHead(200, { 'content-type': 'application/json', link: `</v2/_catalog?n=2&last=x${n}>; rel="next"` })
        .end(JSON.stringify({ repositories: ['team/app', 'team/app'] }));
      return true;
    });
    const r = await runMeasured(['registry', 'audit', `http://${s.host}`, '--format', 'json', '--timeout', '2s']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.registry.catalog.repositories, 1);
    assert.equal(doc.registry.catalog.loop, true);
    assert.ok(n <= 3, `stopped after ${n} pages`);

    const junk = await serve((req, res) => {
      if (!req.url?.startsWith('/v2/_catalog')) return false;
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"repositories": ${MARKER}`);
      return true;
    });
    const j = await runMeasured(['registry', 'audit', `http://${junk.host}`, '--format', 'json', '--timeout', '2s']);
    assert.equal(j.code, 0, j.stderr);
    const facts = JSON.parse(j.stdout).registry.catalog;
    assert.deepEqual(facts, { status: 'error', detail: 'catalog page 1 is not valid JSON' });
    assert.doesNotMatch(j.stdout, new RegExp(MARKER));
  });
});
