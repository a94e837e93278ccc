// Preloaded into a CLI child (node --import) by hostile-cli.ts: at exit, the process writes its
// own peak resident set size (KiB, from getrusage) to the file named by LAYERLENS_TEST_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.LAYERLENS_TEST_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
