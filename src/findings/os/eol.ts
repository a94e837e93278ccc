/**
 * End-of-life dates of container base distributions, shipped with layerlens so the check works
 * offline. `eol` is the end of regular security support; `extended` the end of the distribution's
 * own extended support (Debian LTS, Ubuntu ESM with Ubuntu Pro, RHEL's maintenance phase end).
 * Dates are the vendors' published ones as of TABLE_DATE; later releases show as "unknown".
 */
export const EOL_TABLE_DATE = '2026-11-01';

export interface EolEntry {
  /** os-release ID (and ID_LIKE-less family members listed separately). */
  id: string;
  /** VERSION_ID, or its prefix before the first dot for "major" entries. */
  version: string;
  name: string;
  eol: string;
  extended?: string;
  extendedName?: string;
}

const debian = (version: string, codename: string, eol: string, lts: string): EolEntry => ({
  id: 'debian',
  version,
  name: `Debian ${version} (${codename})`,
  eol,
  extended: lts,
  extendedName: 'Debian LTS',
});
const ubuntu = (version: string, eol: string, esm?: string): EolEntry => ({
  id: 'ubuntu',
  version,
  name: `Ubuntu ${version}`,
  eol,
  ...(esm ? { extended: esm, extendedName: 'Ubuntu Pro ESM (subscription)' } : {}),
});
const alpine = (version: string, eol: string): EolEntry => ({
  id: 'alpine',
  version,
  name: `Alpine Linux ${version}`,
  eol,
});
const el = (id: string, label: string, version: string, eol: string): EolEntry => ({
  id,
  version,
  name: `${label} ${version}`,
  eol,
});

export const EOL_TABLE: EolEntry[] = [
  debian('8', 'jessie', '2018-06-17', '2020-06-30'),
  debian('9', 'stretch', '2020-07-06', '2022-06-30'),
  debian('10', 'buster', '2022-09-10', '2024-06-30'),
  debian('11', 'bullseye', '2024-08-14', '2026-08-31'),
  debian('12', 'bookworm', '2026-06-10', '2028-06-30'),
  debian('13', 'trixie', '2028-08-09', '2030-06-30'),
  ubuntu('14.04', '2019-04-25', '2024-04-25'),
  ubuntu('16.04', '2021-04-30', '2026-04-30'),
  ubuntu('18.04', '2023-05-31', '2028-05-31'),
  ubuntu('20.04', '2025-05-29', '2030-04-30'),
  ubuntu('22.04', '2027-06-01', '2032-04-30'),
  ubuntu('24.04', '2029-05-31', '2034-04-30'),
  ubuntu('23.10', '2024-07-11'),
  ubuntu('24.10', '2025-07-10'),
  ubuntu('25.04', '2026-01-15'),
  ubuntu('25.10', '2026-07-09'),
  alpine('3.14', '2023-05-01'),
  alpine('3.15', '2023-11-01'),
  alpine('3.16', '2024-05-23'),
  alpine('3.17', '2024-11-22'),
  alpine('3.18', '2025-05-09'),
  alpine('3.19', '2025-11-01'),
  alpine('3.20', '2026-04-01'),
  alpine('3.21', '2026-11-01'),
  alpine('3.22', '2027-05-01'),
  alpine('3.23', '2027-11-01'),
  el('centos', 'CentOS Linux', '7', '2024-06-30'),
  el('centos', 'CentOS Linux', '8', '2021-12-31'),
  el('centos', 'CentOS Stream', '9', '2027-05-31'),
  el('rhel', 'Red Hat Enterprise Linux', '7', '2024-06-30'),
  el('rhel', 'Red Hat Enterprise Linux', '8', '2029-05-31'),
  el('rhel', 'Red Hat Enterprise Linux', '9', '2032-05-31'),
  el('rocky', 'Rocky Linux', '8', '2029-05-31'),
  el('rocky', 'Rocky Linux', '9', '2032-05-31'),
  el('almalinux', 'AlmaLinux', '8', '2029-05-31'),
  el('almalinux', 'AlmaLinux', '9', '2032-05-31'),
  el('ol', 'Oracle Linux', '7', '2024-12-31'),
  el('ol', 'Oracle Linux', '8', '2029-07-31'),
  el('ol', 'Oracle Linux', '9', '2032-06-30'),
  el('amzn', 'Amazon Linux', '2018.03', '2023-12-31'),
  el('amzn', 'Amazon Linux', '2', '2026-06-30'),
  el('amzn', 'Amazon Linux', '2023', '2029-06-30'),
  el('fedora', 'Fedora', '39', '2024-11-26'),
  el('fedora', 'Fedora', '40', '2025-05-13'),
  el('fedora', 'Fedora', '41', '2025-12-15'),
  el('fedora', 'Fedora', '42', '2026-05-13'),
  el('opensuse-leap', 'openSUSE Leap', '15.4', '2023-12-07'),
  el('opensuse-leap', 'openSUSE Leap', '15.5', '2024-12-31'),
  el('opensuse-leap', 'openSUSE Leap', '15.6', '2026-04-30'),
];

/** The table entry for an os-release ID and VERSION_ID (exact, then major.minor, then major). */
export function eolEntry(id: string | undefined, versionId: string | undefined): EolEntry | undefined {
  if (!id || !versionId) return undefined;
  const cands = EOL_TABLE.filter((e) => e.id === id);
  const parts = versionId.split('.');
  for (const v of [versionId, parts.slice(0, 2).join('.'), parts[0]]) {
    const hit = cands.find((e) => e.version === v);
    if (hit) return hit;
  }
  return undefined;
}
