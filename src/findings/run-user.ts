/**
 * The user a container of the image runs as, resolved as Docker resolves USER (runc's
 * libcontainer/user, reading the image's own /etc/passwd): a user part that is a number is that
 * uid (`00`, `+0` and `-0` are all 0); a name is the uid of the first passwd line of that name,
 * and a line whose uid field is not a number gives uid 0 (Go's Atoi error, ignored); a name with
 * no line makes the container fail to start; no user part (`""`, `":5"`) is root. So `USER app`
 * runs as root when the image's passwd says `app:x:0:0`, which a check of the USER text misses.
 */
import type { ImageModel } from '../engine/image.js';
import { inspected } from './content.js';
import { osFileNodes } from './os/locate.js';
import { atoi, type PasswdEntry } from './os/passwd.js';

export type { PasswdEntry } from './os/passwd.js';

export interface RunUser {
  uid: number;
  /** 'default': no user part; 'number': the user part is a uid; 'passwd': a name, looked up. */
  via: 'default' | 'number' | 'passwd';
}

/**
 * The uid USER `spec` runs as. `passwd`: the image's /etc/passwd entries, `[]` when it has none,
 * undefined when it cannot be read here (not loaded yet, not a plain file): a name is then
 * taken at its word (only `root` is root). Undefined when the container would not start.
 */
export function runUser(spec: string, passwd: readonly PasswdEntry[] | undefined): RunUser | undefined {
  const name = spec.split(':')[0];
  if (name === '') return { uid: 0, via: 'default' };
  const n = atoi(name);
  let found: RunUser | undefined;
  if (n !== undefined) found = { uid: n, via: 'number' };
  else if (passwd === undefined) found = name === 'root' ? { uid: 0, via: 'passwd' } : undefined;
  else {
    const entry = passwd.find((e) => e.name === name);
    found = entry ? { uid: entry.uid, via: 'passwd' } : undefined;
  }
  // runc refuses a uid outside 0 … 2^31-1 (ErrRange): such a container does not start.
  return found && found.uid >= 0 && found.uid <= 2 ** 31 - 1 ? found : undefined;
}

/**
 * The image's /etc/passwd as runc reads it when a container starts (through links: os/locate.ts):
 * its entries, `[]` when the image has none (or a link at it leads nowhere), undefined when it
 * cannot be told here (its content not read: a link to a file of another name, reported as
 * `os-file-unread`; a USER name is then taken at its word).
 */
export function imagePasswd(model: ImageModel): PasswdEntry[] | undefined {
  const top = model.tree.layerCount - 1;
  if (!model.tree.open('/etc/passwd', top)?.liveAt(top)) return [];
  const node = osFileNodes(model).at.get('/etc/passwd');
  const data = inspected(node?.liveAt(top))?.os;
  return data?.kind === 'passwd' ? data.users : undefined;
}
