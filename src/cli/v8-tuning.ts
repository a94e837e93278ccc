/**
 * V8 settings for the layerlens process, applied when this module is evaluated: main.ts imports
 * it first, before any module that holds a regular expression.
 *
 * Regular expressions. V8 runs a new regex in its bytecode interpreter once and compiles it to
 * machine code on the second run. The checks hold ~90 regexes (secret rules, placeholder
 * filters, credential-file and package parsers), and on a typical image most of them run only
 * a few times. Compiling each one cost more than it saved: on the realistic Debian image
 * (bench/findings.ts), a fresh `layerlens scan` spent ~15–20 ms of its ~0.1 s of checks
 * compiling regexes. With 100 interpreted runs first, only the regexes that run often are
 * compiled (a filter over 500k paths is compiled after its first 100 paths).
 */
import v8 from 'node:v8';

v8.setFlagsFromString('--regexp-tier-up-ticks=100');
