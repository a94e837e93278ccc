/**
 * The few Docker Engine API calls layerlens makes (image inspect, history, export, pull), over the
 * transports the docker CLI uses: a unix socket, TCP, TCP with TLS (client certificates, or no
 * verification for skip-verify contexts), and SSH the way the CLI does it — `ssh HOST docker
 * system dial-stdio`, the HTTP conversation carried on the ssh process's stdin and stdout.
 * Podman's Docker-compatible API answers the same calls.
 *
 * This replaced dockerode: its SSH support (ssh2) compiled two native modules on every install
 * (cpu-features and ssh2's crypto binding) and brought gRPC and protobuf with it, ~60 packages a
 * first `npx layerlens` had to fetch for four HTTP requests.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { Duplex, type Readable } from 'node:stream';
import { limitError, limits } from '../../engine/limits.js';
import { parseJson } from '../oci-layout/store.js';
import type { DaemonEndpoint } from './endpoint.js';

/** A refused request, shaped as the daemon errors were (statusCode, the daemon's JSON message). */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly json: { message?: string } | null,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Error bodies are read up to this many bytes (they are one JSON line). */
const ERROR_BODY_MAX = 64 * 1024;

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
}

export class EngineClient {
  constructor(readonly ep: DaemonEndpoint) {}

  /** `method path` → the response stream; a non-2xx answer rejects with an EngineError. */
  request(method: string, path: string, o: RequestOptions = {}): Promise<http.IncomingMessage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) qs.set(k, v);
    const target = qs.size ? `${path}?${qs}` : path;
    const ep = this.ep;
    const headers = { Host: 'docker', ...o.headers };
    const base: http.RequestOptions = { method, path: target, headers, agent: false };
    return new Promise((resolve, reject) => {
      let req: http.ClientRequest;
      if (ep.socketPath) req = http.request({ ...base, socketPath: ep.socketPath });
      else if (ep.protocol === 'ssh')
        // (createConnection is used only without an agent: one ssh process per request.)
        req = http.request({ ...base, agent: undefined, createConnection: () => sshConnection(ep) });
      else if (ep.protocol === 'https')
        req = https.request({
          ...base,
          host: ep.host,
          port: ep.port,
          ca: ep.tls?.ca,
          cert: ep.tls?.cert,
          key: ep.tls?.key,
          rejectUnauthorized: ep.tls?.verify !== false,
        });
      else req = http.request({ ...base, host: ep.host, port: ep.port });
      req.on('error', reject);
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve(res);
          return;
        }
        readSome(res, ERROR_BODY_MAX).then((body) => {
          let json: { message?: string } | null = null;
          try {
            json = JSON.parse(body) as { message?: string };
          } catch {
            /* a plain-text error */
          }
          const text = json?.message ?? body.trim().split('\n')[0] ?? '';
          reject(new EngineError(`(HTTP code ${status}) ${text}`, status, json ?? (text ? { message: text } : null)));
        }, reject);
      });
      req.end();
    });
  }

  /**
   * `GET path` → its JSON body, read as image metadata is (at most LAYERLENS_MAX_JSON_BYTES, its
   * nesting bounded): an answer that is not JSON, or larger than any image's description, is one
   * line that quotes none of it. Its shape is the caller's to check.
   */
  async json(path: string): Promise<unknown> {
    const res = await this.request('GET', path);
    const what = `${this.ep.url}: the answer to GET ${path}`;
    return parseJson(await readAtMost(res, limits().maxJsonBytes, what), what);
  }

  /** The calls on one image, by name or ID (names go into the path as the CLI writes them). */
  image(name: string) {
    const p = `/images/${name}`;
    return {
      inspect: () => this.json(`${p}/json`),
      history: () => this.json(`${p}/history`),
      /** The image as a `docker save` tar stream. */
      export: async (): Promise<Readable> => this.request('GET', `${p}/get`),
    };
  }

  /**
   * Pull `name` (a reference with its tag or digest) through the daemon: the progress stream,
   * JSON lines in which a failure is one more line (pull.ts reads them all).
   */
  pull(name: string, o: { platform?: string; auth?: { username: string; password: string } } = {}): Promise<Readable> {
    const headers: Record<string, string> = {};
    // The registry credentials, as the CLI sends them: base64url of a JSON AuthConfig.
    if (o.auth) headers['X-Registry-Auth'] = Buffer.from(JSON.stringify(o.auth)).toString('base64url');
    return this.request('POST', '/images/create', { query: { fromImage: name, platform: o.platform }, headers });
  }
}

/** Up to `max` bytes of a response as text (the rest is dropped). */
function readSome(res: Readable, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    res.on('data', (c: Buffer) => {
      if (len < max) chunks.push(c.subarray(0, max - len));
      len += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** A response's body, or TOO_LARGE (the response ended) as soon as it passes `max` bytes. */
function readAtMost(res: Readable, max: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    res.on('data', (c: Buffer) => {
      len += c.length;
      if (len > max) {
        res.destroy();
        reject(limitError('maxJsonBytes', `${what} is more than ${max} bytes: too large to be image metadata`));
      } else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

/**
 * An SSH connection to the daemon as the docker CLI makes it: `ssh [-l user] [-p port] -- host
 * docker system dial-stdio`, the ssh process's stdin and stdout as the socket. ssh's own
 * configuration, agent and known hosts apply; it must not ask anything (BatchMode).
 */
export function sshConnection(ep: DaemonEndpoint, command = 'ssh'): Duplex {
  const args = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15'];
  if (ep.username) args.push('-l', ep.username);
  if (ep.port && ep.port !== 22) args.push('-p', String(ep.port));
  args.push('--', ep.host ?? '', 'docker', 'system', 'dial-stdio');
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < 4096) stderr += c.toString('utf8');
  });
  const duplex = Duplex.from({ readable: child.stdout, writable: child.stdin });
  child.on('error', (err) => {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    duplex.destroy(missing ? new Error(`ssh to ${ep.host} failed: the ssh command is not installed`) : err);
  });
  child.on('exit', (code) => {
    if (code && code !== 0) {
      const line = stderr.trim().split('\n').pop() ?? '';
      duplex.destroy(new Error(`ssh to ${ep.host} failed (exit ${code})${line ? `: ${line}` : ''}`));
    }
  });
  duplex.on('close', () => child.kill());
  return duplex;
}
