/**
 * The `permissions` check on the final image: setuid/setgid executables, world-writable files and
 * directories without the sticky bit, and files carrying capabilities (security.capability xattr).
 * Distribution tools that are setuid by design (su, passwd, mount …) are low; anything else is
 * medium (a custom setuid-root helper is a privilege-escalation path).
 */
import type { ImageModel } from '../engine/image.js';
import { nodeIndex } from './content.js';
import { layerDigestOf, makeFinding } from './make.js';
import type { Finding, Severity } from './types.js';

// Setuid/setgid by design in common distributions.
const KNOWN_PRIVILEGED = new Set([
  'su',
  'sudo',
  'sudoedit',
  'passwd',
  'chsh',
  'chfn',
  'gpasswd',
  'newgrp',
  'newuidmap',
  'newgidmap',
  'mount',
  'umount',
  'ping',
  'ping6',
  'pkexec',
  'unix_chkpwd',
  'ssh-keysign',
  'dbus-daemon-launch-helper',
  'expiry',
  'chage',
  'wall',
  'write',
  'crontab',
  'at',
  'fusermount',
  'fusermount3',
  'traceroute6.iputils',
  'arping',
  'clockdiff',
  'ssh-agent',
  'dotlockfile',
  'mail-lock',
  'mail-unlock',
  'mail-touchlock',
  'pam_extrausers_chkpwd',
  'pam_timestamp_check',
  'Xorg.wrap',
  'polkit-agent-helper-1',
  'bsd-write',
  'utempter',
  'mlocate',
  'plocate',
  'locate',
  'screen',
  'procmail',
  'lockfile',
  'busybox',
  'bbsuid',
  'doas',
  'userhelper',
  'staprun',
  'suexec',
  'chromium-sandbox',
  'chrome-sandbox',
  'ksu',
  'sg',
  'vlock',
  'lppasswd',
  'cardmgr',
  'Xorg',
]);

function decodeCaps(raw: string): string {
  // vfs_cap_data: magic/version + permitted/inheritable words (little endian).
  const b = Buffer.from(raw, 'latin1');
  if (b.length < 12) return 'unparsed';
  const permitted = BigInt(b.readUInt32LE(4)) | (b.length >= 20 ? BigInt(b.readUInt32LE(12)) << 32n : 0n);
  const names: Record<number, string> = {
    0: 'cap_chown',
    1: 'cap_dac_override',
    2: 'cap_dac_read_search',
    3: 'cap_fowner',
    4: 'cap_fsetid',
    5: 'cap_kill',
    6: 'cap_setgid',
    7: 'cap_setuid',
    8: 'cap_setpcap',
    10: 'cap_net_bind_service',
    12: 'cap_net_admin',
    13: 'cap_net_raw',
    16: 'cap_sys_module',
    17: 'cap_sys_rawio',
    18: 'cap_sys_chroot',
    19: 'cap_sys_ptrace',
    21: 'cap_sys_admin',
    22: 'cap_sys_boot',
    23: 'cap_sys_nice',
    24: 'cap_sys_resource',
    25: 'cap_sys_time',
    27: 'cap_mknod',
    38: 'cap_perfmon',
    39: 'cap_bpf',
    40: 'cap_checkpoint_restore',
  };
  const out: string[] = [];
  for (let i = 0; i < 41; i++) if (permitted & (1n << BigInt(i))) out.push(names[i] ?? `cap_${i}`);
  return out.join(',') || 'none';
}

const DANGEROUS_CAPS =
  /cap_sys_admin|cap_sys_module|cap_sys_ptrace|cap_dac_override|cap_dac_read_search|cap_setuid|cap_setgid|cap_sys_rawio|cap_chown|cap_fowner|cap_bpf/;

export function permissionFindings(model: ImageModel): Finding[] {
  const out: Finding[] = [];
  const top = model.tree.layerCount - 1;
  if (top < 0) return out;
  const diffIds = model.layers.map((l) => l.diffId);
  for (const node of nodeIndex(model.tree).permissionBits) {
    const v = node.liveAt(top);
    if (!v || v.implicit || node === model.tree.root) continue;
    const mode = v.mode;
    const cap = v.xattrs?.['security.capability'];
    // Most files have none of these bits: skip them before building a path (a parent walk).
    if (!(mode & 0o6002) && cap === undefined) continue;
    const path = node.path;
    const where = { path, layerIndex: v.layer, layerDigest: layerDigestOf(model.meta, v.layer, diffIds) };
    const octal = (mode & 0o7777).toString(8).padStart(4, '0');
    if (v.type === 'file' && mode & 0o6000 && mode & 0o111) {
      const suid = !!(mode & 0o4000);
      const known = KNOWN_PRIVILEGED.has(node.name);
      const rootOwned = suid ? v.uid === 0 : v.gid === 0;
      let severity: Severity = known ? 'low' : suid && rootOwned ? 'medium' : 'low';
      if (!known && mode & 0o002) severity = 'high'; // setuid and writable by anyone
      const bits = [suid ? `setuid (owner uid ${v.uid})` : '', mode & 0o2000 ? `setgid (group gid ${v.gid})` : '']
        .filter(Boolean)
        .join(' and ');
      out.push(
        makeFinding({
          ...where,
          ruleId: suid ? 'permissions-setuid' : 'permissions-setgid',
          category: 'permissions',
          severity,
          title: `${suid ? 'Setuid' : 'Setgid'} executable: ${path}`,
          message: `${path} is ${bits}, mode ${octal}, set in layer ${v.layer}: it runs with its owner's privileges for any user.${known ? ' It is a distribution tool that needs it.' : ' It is not a standard distribution tool: check why it needs the bit.'}`,
          remediation: known
            ? 'Remove the bit if the container never needs it (`RUN chmod u-s,g-s …`), or run with `--security-opt no-new-privileges`.'
            : 'Remove the setuid/setgid bit (`chmod u-s,g-s`) or the binary; run with `--security-opt no-new-privileges`.',
          properties: { mode: octal, uid: v.uid, gid: v.gid, known },
        }),
      );
    }
    if ((v.type === 'file' || v.type === 'dir') && mode & 0o002 && !(v.type === 'dir' && mode & 0o1000)) {
      const dir = v.type === 'dir';
      out.push(
        makeFinding({
          ...where,
          ruleId: dir ? 'permissions-world-writable-dir' : 'permissions-world-writable-file',
          category: 'permissions',
          severity: 'medium',
          title: `World-writable ${dir ? 'directory without sticky bit' : 'file'}: ${path}`,
          message: `${path} has mode ${octal} (set in layer ${v.layer}): any user in the container can ${dir ? 'create, replace or delete files in it' : 'change it'}${dir ? '' : '; if root or a service executes or reads it, that is privilege escalation'}.`,
          remediation: dir
            ? `chmod o-w ${path} (or add the sticky bit, chmod +t, for a shared temp directory).`
            : `chmod o-w ${path}`,
          properties: { mode: octal, uid: v.uid, gid: v.gid },
        }),
      );
    }
    if (v.type === 'file' && cap !== undefined) {
      const caps = decodeCaps(cap);
      const dangerous = DANGEROUS_CAPS.test(caps);
      out.push(
        makeFinding({
          ...where,
          ruleId: 'permissions-file-capabilities',
          category: 'permissions',
          severity: dangerous ? 'medium' : 'low',
          title: `File capabilities on ${path}`,
          message: `${path} carries file capabilities (${caps}), granted to whoever runs it${dangerous ? '; some of them are close to root' : ''}.`,
          remediation:
            'Drop the capability (`setcap -r`) unless needed, and limit the container with `--cap-drop=ALL` plus only what it needs.',
          properties: { capabilities: caps },
        }),
      );
    }
  }
  return out;
}
