/**
 * The blob reader's HTTP/1.1 response parser (src/sources/registry/http1-response.ts) fed bytes
 * directly: every response split at every byte boundary and fed a byte at a time gives the same
 * head and body; chunk extensions and trailers; what it refuses (bad chunk sizes, lengths that
 * disagree, oversized heads, chunk lines and trailers) and what it leaves to node:http (1xx,
 * other encodings, a body without a length, LF-only or folded lines). raw-get.test.ts runs it on
 * real sockets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Http1ResponseParser,
  MAX_HEAD_BYTES,
  ParseError,
  type ResponseHead,
} from '../../../src/sources/registry/http1-response.js';

interface Parsed {
  head?: ResponseHead;
  body: Buffer;
  ended: boolean;
  unsupported?: string;
  extra: boolean;
}

/** Feed `bytes` cut at `cuts`; returns what the parser reported (throws its ParseError). */
function parse(bytes: Buffer, cuts: number[] = []): Parsed {
  const out: Parsed = { body: Buffer.alloc(0), ended: false, extra: false };
  const parts: Buffer[] = [];
  const p = new Http1ResponseParser({
    head: (h) => (out.head = h),
    // Copied: the chunk is a view of the fed buffer.
    body: (c) => parts.push(Buffer.from(c)),
    end: () => (out.ended = true),
    unsupported: (why) => (out.unsupported = why),
  });
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    // Each piece in its own buffer at an offset, as a read buffer reused for every read.
    const buf = Buffer.alloc(cut - at + 7, 0xee);
    bytes.copy(buf, 3, at, cut);
    p.feed(buf, 3, 3 + cut - at);
    at = cut;
  }
  out.body = Buffer.concat(parts);
  out.extra = p.extra;
  return out;
}

function refused(bytes: Buffer | string, code: string): ParseError {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  let err: unknown;
  try {
    parse(b);
  } catch (e) {
    err = e;
  }
  assert.ok(
    err instanceof ParseError,
    `expected a ParseError for ${JSON.stringify(b.toString('latin1').slice(0, 60))}`,
  );
  assert.equal(err.code, code);
  return err;
}

const body = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff));
const lengthResponse = Buffer.concat([
  Buffer.from(
    'HTTP/1.1 200 OK\r\nContent-Length: 300\r\nDocker-Content-Digest: sha256:00\r\nX-Dup: a\r\nx-dup: b\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n',
  ),
  body,
]);
const chunkedResponse = Buffer.concat([
  Buffer.from('HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\nContent-Range: bytes 5-304/305\r\n\r\n'),
  Buffer.from('64;name=value;other\r\n'),
  body.subarray(0, 100),
  Buffer.from('\r\nC8 \t; ext="quoted; value"\r\n'),
  body.subarray(100),
  Buffer.from('\r\n0\r\nX-Trailer: yes\r\nChecksum: abc\r\n\r\n'),
]);

test('Content-Length and chunked bodies, whole, split at every byte boundary, and a byte at a time', () => {
  for (const [name, response] of [
    ['length', lengthResponse],
    ['chunked', chunkedResponse],
  ] as const) {
    const whole = parse(response);
    assert.ok(whole.ended, name);
    assert.deepEqual(whole.body, body, name);
    for (let cut = 1; cut < response.length; cut++) {
      const r = parse(response, [cut]);
      assert.ok(r.ended, `${name} cut at ${cut}`);
      assert.deepEqual(r.body, body, `${name} cut at ${cut}`);
      assert.deepEqual(r.head, whole.head, `${name} cut at ${cut}`);
    }
    const bytewise = parse(
      response,
      Array.from({ length: response.length - 1 }, (_, i) => i + 1),
    );
    assert.ok(bytewise.ended);
    assert.deepEqual(bytewise.body, body);
  }
});

test('headers as node builds them: lowercase names, duplicates joined, set-cookie a list', () => {
  const { head } = parse(lengthResponse);
  assert.equal(head?.status, 200);
  assert.equal(head?.keepAlive, true);
  assert.equal(head?.headers['content-length'], '300');
  assert.equal(head?.headers['docker-content-digest'], 'sha256:00');
  assert.equal(head?.headers['x-dup'], 'a, b');
  assert.deepEqual(head?.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(parse(chunkedResponse).head?.headers['content-range'], 'bytes 5-304/305');
});

test('keep-alive: HTTP/1.1 unless Connection: close; HTTP/1.0 only with keep-alive', () => {
  const ka = (s: string) => parse(Buffer.from(s)).head?.keepAlive;
  assert.equal(ka('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), true);
  assert.equal(ka('HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n'), false);
  assert.equal(ka('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'), false);
  assert.equal(ka('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'), true);
});

test('bodies of length 0, 204 and 304 end at the head; bytes after the end mark the connection', () => {
  for (const s of [
    'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 204 No Content\r\n\r\n',
    'HTTP/1.1 304 Not Modified\r\n\r\n',
    'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n',
  ]) {
    const r = parse(Buffer.from(s));
    assert.ok(r.ended, s);
    assert.equal(r.body.length, 0);
    assert.equal(r.extra, false);
  }
  assert.equal(parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy')).extra, true);
});

test('chunk sizes that are huge, negative, not hex or prefixed are refused', () => {
  for (const size of ['FFFFFFFFFFFFFFFF', '10000000000000', '-1', 'zz', '0x10', ' 10', '', '1 0', '+5', '1.5']) {
    const err = refused(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nabc\r\n0\r\n\r\n`,
      'HPE_INVALID_CHUNK_SIZE',
    );
    assert.doesNotMatch(err.message, /abc|FFFF|zz/, 'never quotes the bytes');
  }
  // The largest accepted: 13 hex digits (below 2^52), exact as a number.
  const p = new Http1ResponseParser({ head() {}, body() {}, end() {}, unsupported() {} });
  p.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFF\r\nab'), 0, 62);
  assert.ok(p.inBody);
});

test('broken framing: data without CRLF after a chunk, a line without CR, lengths that disagree', () => {
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n', 'HPE_STRICT');
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n', 'HPE_STRICT');
  refused('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc', 'HPE_INVALID_CONTENT_LENGTH');
  refused('HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc', 'HPE_INVALID_CONTENT_LENGTH');
  refused('HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\nabc', 'HPE_INVALID_CONTENT_LENGTH');
  refused('HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\nabc', 'HPE_INVALID_CONTENT_LENGTH');
  refused('HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999\r\n\r\nabc', 'HPE_INVALID_CONTENT_LENGTH');
  refused(
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    'HPE_UNEXPECTED_CONTENT_LENGTH',
  );
  // Equal duplicates are one length (RFC 9110 allows a list of the same value).
  assert.equal(parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc')).body.toString(), 'abc');
});

test('status lines and header lines that are not HTTP/1.x', () => {
  refused('HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_CONSTANT');
  refused('HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_CONSTANT');
  refused('ICY 200 OK\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_CONSTANT');
  refused('HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_CONSTANT');
  refused('HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN');
  refused('HTTP/1.1 200 OK\r\nno-colon\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN');
  refused('HTTP/1.1 200 OK\r\nX: a\x00b\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN');
  refused('HTTP/1.1 200 OK\r\n: empty\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN');
});

test('bounds: the head, the header count, a chunk-size line, the trailers', () => {
  const big = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}\r\nContent-Length: 0\r\n\r\n`;
  assert.match(refused(big, 'HPE_HEADER_OVERFLOW').message, /16 KiB/);
  // Never ending: refused at the bound, not read forever.
  refused(`HTTP/1.1 200 OK\r\n${'X: y\r\n'.repeat(5000)}`, 'HPE_HEADER_OVERFLOW');
  refused(`HTTP/1.1 200 OK\r\n${'X: y\r\n'.repeat(300)}Content-Length: 0\r\n\r\n`, 'HPE_HEADER_OVERFLOW');
  refused(
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;${'e'.repeat(5000)}\r\nabc\r\n0\r\n\r\n`,
    'HPE_HEADER_OVERFLOW',
  );
  refused(
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n${'T: v\r\n'.repeat(4000)}\r\n`,
    'HPE_HEADER_OVERFLOW',
  );
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN');
});

test('left to node:http, before anything is delivered', () => {
  for (const s of [
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx',
    'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nx',
    'HTTP/1.0 200 OK\r\n\r\nuntil the connection closes',
    'HTTP/1.1 200 OK\r\n\r\nuntil the connection closes',
    'HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\nx',
    'HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 1\r\n\r\nx',
  ]) {
    const r = parse(Buffer.from(s));
    assert.ok(r.unsupported, s);
    assert.equal(r.head, undefined, s);
    assert.equal(r.body.length, 0, s);
  }
  assert.equal(
    parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\nContent-Length: 1\r\n\r\nx')).unsupported,
    undefined,
  );
});
