/**
 * The LayoutStore of a one-pass read: small metadata members kept in memory, the sizes of all
 * members (so "is this blob there?" can be answered), and links between members.
 */
import type { LayoutStore } from '../oci-layout/store.js';
import { resolveMember, type MemberType } from './tar-index.js';

export class PassStore implements LayoutStore {
  readonly members = new Map<string, { name: string; type: MemberType; linkname?: string; size: number }>();
  readonly data = new Map<string, Buffer>();

  constructor(readonly label: string) {}

  add(name: string, type: MemberType, size: number, linkname?: string): void {
    this.members.set(name, { name, type, size, linkname });
  }

  resolve(name: string): string | undefined {
    return resolveMember(this.members, name);
  }

  async size(name: string): Promise<number | undefined> {
    const r = this.resolve(name);
    return r === undefined ? undefined : this.members.get(r)?.size;
  }

  async read(name: string): Promise<Buffer | undefined> {
    const r = this.resolve(name);
    return r === undefined ? undefined : this.data.get(r);
  }
}
