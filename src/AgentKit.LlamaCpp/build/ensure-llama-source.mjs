#!/usr/bin/env node
// Makes sure the llama.cpp source tree of the release the natives come from is in the per-user cache.
// The tests need its headers (ABI checks), vocabularies with tokenizer vectors, chat templates and
// grammars. The source ships inside the node-llama-cpp npm package as a git bundle: fetch the package
// (integrity-checked, via fetch-npm-package.mjs), then clone the bundle into a temporary folder and
// rename it into place, so a parallel build or an interrupted one never leaves a half-cloned tree.
//
// usage: node ensure-llama-source.mjs <fetch-npm-package.mjs> <name@version> <sha512-integrity> <package-folder> <source-folder>
// The source folder gets a `.agentkit-complete` stamp holding the integrity of the package it came from.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [fetchScript, spec, integrity, packageDir, sourceDir] = process.argv.slice(2);
const fail = (message) => {
  console.error(`error AKTEST001: ${message}`);
  process.exit(1);
};

if (!fetchScript || !spec || !integrity || !packageDir || !sourceDir) {
  fail('usage: ensure-llama-source.mjs <fetch-npm-package.mjs> <name@version> <sha512-integrity> <package-folder> <source-folder>');
}

const stamp = join(sourceDir, '.agentkit-complete');
if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === integrity) {
  process.exit(0);
}

const fetched = spawnSync(process.execPath, [fetchScript, spec, integrity, packageDir], { stdio: 'inherit' });
if (fetched.status !== 0) {
  fail(`could not fetch ${spec} (see the error above); the llama.cpp source for the tests is not available.`);
}

const bundle = join(packageDir, 'package', 'llama', 'gitRelease.bundle');
if (!existsSync(bundle)) fail(`${spec} in ${packageDir} has no llama/gitRelease.bundle.`);

const parent = dirname(sourceDir);
mkdirSync(parent, { recursive: true });
const work = mkdtempSync(join(parent, '.clone-'));
let problem = null;
try {
  const clone = join(work, 'src');
  console.log(`AgentKit: cloning the llama.cpp source from ${bundle} into ${sourceDir} ...`);
  const cloned = spawnSync('git', ['-c', 'advice.detachedHead=false', 'clone', '--quiet', bundle, clone], { encoding: 'utf8' });
  if (cloned.error) {
    problem = `git was not found (${cloned.error.message}): install git to unpack the llama.cpp source bundle.`;
  } else if (cloned.status !== 0) {
    problem = `git clone of ${bundle} failed: ${(cloned.stderr || '').trim()}`;
  } else if (!existsSync(join(clone, 'include', 'llama.h'))) {
    problem = `the bundle ${bundle} did not check out include/llama.h.`;
  } else if (!existsSync(stamp)) {
    // A parallel build that finished first left a tree as good as this one; otherwise move ours in.
    writeFileSync(join(clone, '.agentkit-complete'), integrity + '\n');
    rmSync(sourceDir, { recursive: true, force: true });
    renameSync(clone, sourceDir);
    console.log(`AgentKit: llama.cpp source ready in ${sourceDir}.`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (problem) fail(problem);
