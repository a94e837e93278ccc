// Minimal typings for tar-stream 3 (streamx based), covering what layerlens uses.
declare module 'tar-stream' {
  import type { Readable, Writable } from 'node:stream';
  export interface Headers {
    name: string;
    size?: number;
    mode?: number;
    mtime?: Date;
    type?: string;
    linkname?: string | null;
    uid?: number;
    gid?: number;
    uname?: string;
    gname?: string;
    devmajor?: number;
    devminor?: number;
    pax?: Record<string, string> | null;
  }
  export interface Extract extends Writable {
    on(ev: 'entry', fn: (header: Headers, stream: Readable, next: (err?: Error) => void) => void): this;
    on(ev: string, fn: (...args: any[]) => void): this;
    once(ev: string, fn: (...args: any[]) => void): this;
  }
  export interface Pack extends Readable {
    entry(header: Headers, body: Buffer | string, cb?: (err?: Error | null) => void): Writable;
    entry(header: Headers, cb?: (err?: Error | null) => void): Writable;
    finalize(): void;
  }
  export function extract(opts?: { filenameEncoding?: string; allowUnknownFormat?: boolean }): Extract;
  export function pack(opts?: object): Pack;
  const _default: { extract: typeof extract; pack: typeof pack };
  export default _default;
}
