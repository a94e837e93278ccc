/**
 * The ping: GET /v2/ without credentials picks the transport and tells what the registry wants.
 *
 * - HTTPS with verified certificates first; a certificate problem is an error naming the fix,
 *   never a reason to fall back.
 * - Plain HTTP only with --plain-http, or for a loopback registry whose port does not speak TLS
 *   (as Docker treats localhost and 127.0.0.0/8).
 * - 401 gives the challenge (Bearer preferred, then Basic), 200 or 403 mean no challenge, 429 is
 *   the rate-limit error, anything else is not a registry.
 */
import { LayerlensError } from '../../errors/index.js';
import { rateLimitError, type Reply } from './retry.js';
import { networkReason, TransportError } from './exchange-errors.js';
import {
  agentFromSpec,
  describeCertificateError,
  httpsSpec,
  isCertificateError,
  isLoopbackHost,
  isTlsProtocolError,
  type Endpoint,
  type TlsMaterial,
} from './transport.js';
import { findChallenge, parseWwwAuthenticate, type Challenge } from './www-authenticate.js';

export interface PingOptions {
  plainHttp?: boolean;
  insecure?: boolean;
  /** Credentials will be sent (changes the rate-limit advice). */
  authenticated: boolean;
}

export interface PingResult {
  endpoint: Endpoint;
  status: number;
  challenge?: Challenge;
}

/** GET /v2/ on an endpoint: the client's probe (retries and time-outs included). */
export type Probe = (endpoint: Endpoint) => Promise<Reply>;

export async function ping(host: string, material: TlsMaterial, o: PingOptions, probe: Probe): Promise<PingResult> {
  if (o.plainHttp)
    return answer(host, plain(host, `plain HTTP to ${host} (--plain-http): traffic is not encrypted`), o, probe);
  const insecure = !!o.insecure;
  const extra = material.files.length ? ` (extra CA/certificates: ${material.files.join(', ')})` : '';
  const secure: Endpoint = {
    host,
    scheme: 'https',
    agent: agentFromSpec(httpsSpec(material, insecure)),
    verified: !insecure,
    description: insecure
      ? `HTTPS to ${host} WITHOUT certificate verification (--insecure)`
      : `HTTPS to ${host}, certificate verified${extra}`,
  };
  try {
    return await answer(host, secure, o, probe);
  } catch (err) {
    if (isCertificateError(err) && !insecure) {
      secure.agent.destroy();
      throw describeCertificateError(host, err);
    }
    if (isLoopbackHost(host) && isTlsProtocolError(err)) {
      secure.agent.destroy();
      return answer(
        host,
        plain(host, `plain HTTP to ${host} (loopback registry without TLS, as Docker allows)`),
        o,
        probe,
      );
    }
    secure.agent.destroy();
    throw err;
  }
}

function plain(host: string, description: string): Endpoint {
  return { host, scheme: 'http', agent: agentFromSpec({ https: false }), verified: false, description };
}

async function answer(host: string, endpoint: Endpoint, o: PingOptions, probe: Probe): Promise<PingResult> {
  let res: Reply;
  try {
    res = await probe(endpoint);
  } catch (err) {
    if (err instanceof LayerlensError || isCertificateError(err) || isTlsProtocolError(err)) throw err;
    const code = err instanceof TransportError && err.timedOut ? 'TIMEOUT' : 'NETWORK';
    throw new LayerlensError(
      `cannot reach registry ${host} over ${endpoint.scheme.toUpperCase()}: ${err instanceof TransportError ? err.reason : networkReason(err)}`,
      code,
    );
  }
  const status = res.statusCode ?? 0;
  if (status === 401) {
    const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
    const challenge = findChallenge(challenges, 'bearer') ?? findChallenge(challenges, 'basic') ?? challenges[0];
    return { endpoint, status, challenge };
  }
  if (status === 429) throw rateLimitError(host, res, o.authenticated);
  if (status !== 200 && status !== 403)
    throw new LayerlensError(
      `${host} does not look like a container registry (GET /v2/ answered ${status})`,
      'NOT_REGISTRY',
    );
  return { endpoint, status };
}
