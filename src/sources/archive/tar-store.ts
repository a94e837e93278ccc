/** A LayoutStore over an indexed tar FILE: members are read (and streamed) at their offsets. */
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FileRange, LayoutStore } from '../oci-layout/store.js';
import { fsError } from '../oci-layout/store.js';
import { FileChunks } from '../file-chunks.js';
import { resolveMember, type TarMember } from './tar-index.js';

export class TarFileStore implements LayoutStore {
  constructor(
    readonly file: string,
    readonly members: Map<string, TarMember>,
    readonly label: string,
  ) {}

  private member(name: string): TarMember | undefined {
    const resolved = resolveMember(this.members, name);
    return resolved === undefined ? undefined : this.members.get(resolved);
  }

  async size(name: string): Promise<number | undefined> {
    return this.member(name)?.size;
  }

  async read(name: string): Promise<Buffer | undefined> {
    const m = this.member(name);
    if (!m) return undefined;
    const buf = Buffer.alloc(m.size);
    let handle;
    try {
      handle = await fs.open(this.file, 'r');
      let got = 0;
      while (got < m.size) {
        const { bytesRead } = await handle.read(buf, got, m.size - got, m.offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (err) {
      throw fsError(err, this.file);
    } finally {
      await handle?.close();
    }
    return buf;
  }

  fileRange(name: string): FileRange | undefined {
    const m = this.member(name);
    return m && m.size > 0 ? { file: this.file, start: m.offset, length: m.size } : undefined;
  }

  open(name: string): NodeJS.ReadableStream {
    const m = this.member(name);
    if (!m || m.size === 0) return Readable.from([]);
    return new FileChunks(this.file, m.offset, m.offset + m.size);
  }
}
