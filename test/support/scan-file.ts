import { FileSecretScanner, type SecretMatch } from '../../src/findings/secrets/scanner.js';

/** Feed `content` to the streaming scanner in chunks, as the layer parser would. */
export function scanFile(
  path: string,
  content: string | Buffer,
  opts: { reveal?: boolean; maxBytes?: number; chunk?: number } = {},
): SecretMatch[] {
  const s = new FileSecretScanner(path, opts);
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const step = opts.chunk ?? 65536;
  for (let i = 0; i < buf.length; i += step) s.write(buf.subarray(i, i + step));
  return s.end() ?? [];
}
