/**
 * The explorer's first frame comes before any layer byte is read (issue 16), shown on the
 * ML-shaped image: a loopback HTTP server speaks the Distribution API for it (ping, manifest,
 * config) and HOLDS every layer blob request (answers nothing), so no layer byte can reach the
 * explorer; the built CLI runs in a real terminal (tmux, 180×50); the time from its start to a
 * frame that lists the image's layers is the figure. Then the same with the blobs served, and from
 * the OCI layout on disk, for the time to the first frame when layers do stream.
 *
 *   npm run build && node --import tsx bench/first-frame.ts [--runs 3]
 *
 * Target: a first frame with the layer list although not one layer byte was sent.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mlImage } from './gen-ml-image.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const root = fileURLToPath(new URL('..', import.meta.url));
const SOCKET = `layerlens-bench-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'], // (tmux's complaint goes into the error's message)
  });
/** A history line of the image's site-packages layer: on screen once the layer list is drawn. */
const LAYER_TEXT = 'pip install -r requirements.txt';

interface Served {
  url: string;
  layerBytesSent: () => number;
  layerRequests: () => number;
  stop: () => Promise<void>;
}

/** The image in `dir` over the Distribution API; layer blobs held unanswered unless `serveLayers`. */
async function serve(dir: string, serveLayers: boolean): Promise<Served> {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const mDigest: string = index.manifests[0].digest;
  const blob = (d: string) => join(dir, 'blobs', 'sha256', d.slice(7));
  const manifest = readFileSync(blob(mDigest));
  const layers = new Set<string>(JSON.parse(manifest.toString()).layers.map((l: { digest: string }) => l.digest));
  let sent = 0;
  let requests = 0;
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/v2/') return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const m = /^\/v2\/ml\/(manifests|blobs)\/(.+)$/.exec(url);
    if (m && m[1] === 'manifests' && (m[2] === 'latest' || m[2] === mDigest)) {
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'docker-content-digest': mDigest,
        'content-length': manifest.length,
      });
      return res.end(req.method === 'HEAD' ? undefined : manifest);
    }
    if (m && m[1] === 'blobs') {
      const d = m[2];
      if (layers.has(d)) {
        requests++;
        if (!serveLayers) {
          held.add(res);
          return;
        }
      }
      let body: Buffer | undefined;
      try {
        body = layers.has(d) ? undefined : readFileSync(blob(d));
      } catch {
        return res.writeHead(404).end();
      }
      if (body) return res.writeHead(200, { 'content-length': body.length }).end(body);
      const s = createReadStream(blob(d), { highWaterMark: 1 << 20 });
      s.on('data', (c) => (sent += c.length));
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      s.pipe(res);
      res.on('close', () => s.destroy());
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `127.0.0.1:${port}/ml:latest`,
    layerBytesSent: () => sent,
    layerRequests: () => requests,
    stop: () =>
      new Promise((r) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A new session running `cmd`. Right after the last run's `kill-server`, that server may still be
 * exiting, and a new session on its socket fails with "server exited unexpectedly": retried, as
 * test/support/tmux.ts does (the bench failed so about one run in three).
 */
function newSession(cmd: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      tmux('new-session', '-d', '-s', 'ff', '-x', '180', '-y', '50', cmd);
      return;
    } catch (err) {
      if (attempt >= 5 || !/server exited unexpectedly/.test(String((err as Error).message))) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 * attempt);
    }
  }
}

/** Start the explorer on `ref` in tmux; ms until the screen lists the layers (or -1 after 60 s). */
async function firstFrame(ref: string): Promise<number> {
  const cmd = `cd ${JSON.stringify(root)}; unset CI; TERM=xterm-256color ${JSON.stringify(process.execPath)} dist/cli/main.cjs ${ref}; sleep 60`;
  const t0 = performance.now();
  newSession(cmd);
  try {
    while (performance.now() - t0 < 60_000) {
      const screen = tmux('capture-pane', '-p', '-t', 'ff');
      if (screen.includes(LAYER_TEXT)) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 10));
    }
    return -1;
  } finally {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = await mlImage();
  console.log(
    `image: ${dir}; load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const held: number[] = [];
  const open: number[] = [];
  const layout: number[] = [];
  let proven = true;
  for (let i = 0; i < runs; i++) {
    const h = await serve(dir, false);
    const ms = await firstFrame(h.url);
    const note = `layer requests ${h.layerRequests()}, layer bytes sent ${h.layerBytesSent()}`;
    await h.stop();
    if (ms < 0 || h.layerBytesSent() !== 0) proven = false;
    held.push(ms);
    const o = await serve(dir, true);
    const msOpen = await firstFrame(o.url);
    await o.stop();
    open.push(msOpen);
    const msLayout = await firstFrame(`oci:${dir}`);
    layout.push(msLayout);
    console.log(
      `run ${i + 1}: layers held ${ms.toFixed(0)} ms (${note}); layers served ${msOpen.toFixed(0)} ms; OCI layout on disk ${msLayout.toFixed(0)} ms`,
    );
  }
  console.log(
    `first frame listing the layers, median of ${runs}: layers held ${median(held).toFixed(0)} ms, served ${median(open).toFixed(0)} ms, OCI layout ${median(layout).toFixed(0)} ms (process start to frame, tmux polled every 10 ms)`,
  );
  console.log(
    `verdict first frame before any layer byte: ${proven ? 'met' : 'NOT met'} (the frame listed the layers while every layer request was held unanswered)`,
  );
}

main().catch((err) => {
  console.error(err);
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  process.exit(1);
});
