/**
 * A daemon's export that stops: once its bytes have begun, a stream that gives none for `ms`
 * while its reader waits for them is ended with `error()`. (A daemon prepares an export before
 * its first byte, for as long as the image takes: that wait is not bounded here.) Bytes are
 * counted on the socket, not by a 'data' listener, which would start the stream before its
 * reader is there; a paused stream is its reader's doing, not the daemon's.
 */
import type { Readable } from 'node:stream';

export function endOnStall(stream: Readable, ms: number, error: () => Error): void {
  const socket = (stream as Readable & { socket?: { bytesRead?: number } }).socket;
  if (typeof socket?.bytesRead !== 'number') return; // (ssh: no socket to count on)
  const start = socket.bytesRead;
  let seen = start;
  let last = Date.now();
  const timer = setInterval(
    () => {
      const now = Date.now();
      const read = socket.bytesRead ?? seen;
      // (Begun: the reader has had bytes, or more came than arrived with the headers.)
      const begun = stream.readableDidRead || read !== start;
      if (read !== seen || !begun || stream.readableFlowing !== true) {
        seen = read;
        last = now;
      } else if (now - last > ms) {
        clearInterval(timer);
        stream.destroy(error());
      }
    },
    Math.max(50, Math.min(1000, ms / 4)),
  );
  timer.unref();
  stream.once('close', () => clearInterval(timer));
}
