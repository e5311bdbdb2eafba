#!/usr/bin/env node
// Fetches one npm package tarball with `npm pack`, checks it against the integrity recorded in the
// repository, and extracts it atomically into a cache folder. Used at build time for the llama.cpp
// natives (and by the tests for the llama.cpp source bundle). Prints one clear line on failure.
//
// usage: node fetch-npm-package.mjs <name@version> <sha512-integrity> <destination-folder>
// The destination gets `package/...` (the tarball's content) and a `.agentkit-complete` stamp.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [spec, integrity, destination] = process.argv.slice(2);
const fail = (message) => {
  // MSBuild picks up "error CODE: text" as a build error with this text.
  console.error(`error AKLLAMA001: ${message}`);
  process.exit(1);
};

if (!spec || !integrity || !destination) {
  fail('usage: fetch-npm-package.mjs <name@version> <sha512-integrity> <destination-folder>');
}

const stamp = join(destination, '.agentkit-complete');
if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === integrity) {
  process.exit(0);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const probe = spawnSync(npm, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  fail(`${spec} is not in the cache (${destination}) and npm was not found: install Node.js (with npm), or set AGENTKIT_LLAMA_LIB_DIR to a folder holding a llama.cpp v0.5.0 build.`);
}

const parent = dirname(destination);
mkdirSync(parent, { recursive: true });
const work = mkdtempSync(join(parent, '.download-'));
try {
  console.log(`AgentKit: fetching ${spec} from the npm registry into ${destination} ...`);
  const packed = spawnSync(npm, ['pack', spec, '--json', '--silent', '--pack-destination', work], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (packed.status !== 0) {
    const detail = (packed.stderr || '').split('\n').find((l) => l.trim().length > 0) ?? `exit code ${packed.status}`;
    fail(`npm pack ${spec} failed (${detail.trim()}). Offline? Put the package in the cache (${destination}) on a connected machine, or set AGENTKIT_LLAMA_LIB_DIR to a llama.cpp v0.5.0 build.`);
  }
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) fail(`npm pack ${spec} produced no tarball in ${work}.`);

  const actual = 'sha512-' + createHash('sha512').update(readFileSync(join(work, tarball))).digest('base64');
  if (actual !== integrity) {
    fail(`integrity check failed for ${spec}: expected ${integrity}, got ${actual}. The download was not used.`);
  }

  const extracted = join(work, 'extracted');
  mkdirSync(extracted);
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', extracted]);
  writeFileSync(join(extracted, '.agentkit-complete'), integrity + '\n');

  rmSync(destination, { recursive: true, force: true });
  renameSync(extracted, destination);
  console.log(`AgentKit: ${spec} verified (${integrity.slice(0, 20)}...) and extracted.`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
