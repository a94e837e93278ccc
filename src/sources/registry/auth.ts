/**
 * What a request to the registry carries as Authorization, from what the registry asked for:
 * nothing; Basic with the user's credentials; a Bearer token from its token service (per scope,
 * cached: token.ts); or a registry token from the config, sent as is.
 *
 * The challenge comes from the ping (GET /v2/) and is replaced by the one of any later 401 of the
 * registry: a fresh 401 means an expired token, scopes we did not know we needed, or a registry
 * that changed its mind, and is worth one more attempt with fresh authorization.
 */
import { LayerlensError } from '../../errors/index.js';
import type { Credential } from './credentials.js';
import type { Reply } from './retry.js';
import { fetchToken, TokenCache, type TokenFetch } from './token.js';
import { findChallenge, parseWwwAuthenticate, type Challenge } from './www-authenticate.js';

export interface AuthOptions {
  registryHost: string;
  registryScheme: 'https' | 'http';
  credential?: Credential;
  /** The ping's challenge (undefined: the registry asked for nothing). */
  challenge?: Challenge;
}

const HEADER_SAFE = /^[\x21-\x7e]+$/;

export class Authenticator {
  challenge?: Challenge;
  /** How requests were authenticated, for notes: 'anonymous', 'anonymous token', 'token (credentials from …)'. */
  used = 'anonymous';
  private readonly tokens = new TokenCache();

  constructor(private readonly o: AuthOptions) {
    this.challenge = o.challenge;
  }

  /** The Authorization header for a request needing these scopes (fetching a token when needed). */
  async header(scopes: string[], forceRefresh: boolean, fetch: TokenFetch): Promise<string | undefined> {
    const cred = this.o.credential;
    if (cred?.registryToken) {
      if (!HEADER_SAFE.test(cred.registryToken))
        throw new LayerlensError(`the registry token from ${cred.source} has characters a header cannot carry`, 'AUTH');
      this.used = `registry token (${cred.source})`;
      return `Bearer ${cred.registryToken}`;
    }
    const ch = this.challenge;
    if (ch?.scheme === 'basic') {
      if (!cred || cred.username === undefined) return undefined;
      this.used = `Basic (credentials from ${cred.source})`;
      return 'Basic ' + Buffer.from(`${cred.username}:${cred.password ?? ''}`).toString('base64');
    }
    if (ch?.scheme === 'bearer') {
      const t = await this.tokens.get(scopes, forceRefresh, (s) =>
        fetchToken({
          challenge: ch,
          credential: cred,
          scopes: s,
          registryHost: this.o.registryHost,
          registryScheme: this.o.registryScheme,
          fetch,
        }),
      );
      this.used = cred ? `token (credentials from ${cred.source})` : 'anonymous token';
      return `Bearer ${t.token}`;
    }
    return undefined;
  }

  /**
   * A 401 from the registry: adopt its challenge. Returns the scopes to ask for when one more
   * attempt with fresh authorization can help, undefined when it cannot.
   */
  reconsider(res: Reply, scopes: string[]): string[] | undefined {
    const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
    const fresh = findChallenge(challenges, 'bearer') ?? findChallenge(challenges, 'basic');
    if (!fresh) return undefined;
    const hadOne = !!this.challenge;
    this.challenge = fresh;
    const wanted = fresh.params.scope ? fresh.params.scope.split(' ').filter(Boolean) : [];
    if (fresh.scheme === 'bearer') return [...new Set([...scopes, ...wanted])];
    // Basic: worth it only if we have credentials we did not send yet.
    return this.o.credential && !hadOne ? scopes : undefined;
  }
}
