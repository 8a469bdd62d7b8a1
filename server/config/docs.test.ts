// The shipped config file and the docs are checked against the schema: a key
// added to the schema and not to them fails here. Regenerate both with
//   CONFIG_DOCS_REWRITE=1 npx vitest run server/config/docs.test.ts
// and review the diff.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  referenceBeginMarker, referenceEndMarker, renderDefaultToml, renderKeyReference, tomlLiteral,
} from './docs.js';
import { loadConfig } from './load.js';
import { allKeys, configSections, envNames, qualifiedName } from './schema.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const docsPath = join(repoRoot, 'docs', 'configuration.md');
const tomlPath = join(repoRoot, 'config', 'thunderdb.toml');
const rewrite = process.env['CONFIG_DOCS_REWRITE'] === '1';

function generatedBlock(docs: string): string {
  const begin = docs.indexOf(referenceBeginMarker);
  const end = docs.indexOf(referenceEndMarker);
  if (begin < 0 || end < begin) throw new Error(`${docsPath} lacks the generated key reference markers`);
  return docs.slice(begin, end + referenceEndMarker.length);
}

beforeAll(() => {
  if (!rewrite) return;
  writeFileSync(tomlPath, renderDefaultToml());
  const docs = readFileSync(docsPath, 'utf8');
  writeFileSync(docsPath, docs.replace(generatedBlock(docs), renderKeyReference()));
});

const regenerate = 'regenerate: CONFIG_DOCS_REWRITE=1 npx vitest run server/config/docs.test.ts';

// Read inside each test: in rewrite mode beforeAll writes the files first.
const readToml = (): string => readFileSync(tomlPath, 'utf8');
const readDocs = (): string => readFileSync(docsPath, 'utf8');

describe('config/thunderdb.toml', () => {
  it('sets every key of the schema, in its section, to the default', () => {
    const text = readToml();
    const document = parse(text);
    for (const spec of allKeys) {
      const section = document[spec.section];
      expect(section, `[${spec.section}] missing`).toBeTypeOf('object');
      const value = (section as Record<string, unknown>)[spec.key];
      expect(value, `${qualifiedName(spec)} missing`).not.toBeUndefined();
    }
    for (const spec of allKeys) {
      expect(text, `${qualifiedName(spec)} default`).toContain(`\n${spec.key} = ${tomlLiteral(spec.default)}\n`);
    }
  });

  it('has no section or key the schema does not know', () => {
    const document = parse(readToml());
    expect(Object.keys(document).sort()).toEqual(configSections.map((s) => s.name).sort());
    const keysInFile = Object.entries(document).flatMap(([section, body]) =>
      Object.keys(body as object).map((key) => `${section}.${key}`));
    expect(keysInFile.sort()).toEqual(allKeys.map(qualifiedName).sort());
  });

  it('loads to exactly the built-in defaults', () => {
    // Relative paths in a file resolve against its directory, defaults
    // against cwd: with cwd = the file's directory the two must agree.
    const fromFile = loadConfig({ path: tomlPath, env: {} });
    const defaults = loadConfig({ env: {}, cwd: dirname(tomlPath) });
    expect(fromFile).toEqual({ ...defaults, sourcePath: tomlPath });
  });

  it('is exactly what the schema renders', () => {
    expect(readToml(), regenerate).toBe(renderDefaultToml());
  });
});

describe('docs/configuration.md', () => {
  it('documents every key with its default, environment variables and reload behaviour', () => {
    const block = generatedBlock(readDocs());
    for (const spec of allKeys) {
      const row = block.split('\n').find((line) => line.startsWith(`| \`${qualifiedName(spec)}\` |`));
      expect(row, `${qualifiedName(spec)} has no row`).toBeDefined();
      expect(row).toContain(`\`${tomlLiteral(spec.default)}\``);
      for (const name of envNames(spec)) expect(row).toContain(`\`${name}\``);
      expect(row).toContain(spec.reloadable ? '| yes |' : '| no (restart) |');
    }
  });

  it('explains precedence, the environment rule, relative paths, sync_commit and validation', () => {
    const docs = readDocs();
    for (const phrase of [
      'defaults < file < environment', 'THUNDERDB_<SECTION>_<KEY>', 'THUNDERDB_CONFIG',
      'relative', 'fdatasync', '10 ms', 'SIGHUP', 'config error:',
    ]) {
      expect(docs, phrase).toContain(phrase);
    }
  });

  it('has a key reference that is exactly what the schema renders', () => {
    expect(generatedBlock(readDocs()), regenerate).toBe(renderKeyReference());
  });
});
