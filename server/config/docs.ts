// Renders the key reference of docs/configuration.md and the whole shipped
// config/thunderdb.toml from the schema, so neither can drift from it.
// docs.test.ts compares the checked-in files with these renderings; run it
// with CONFIG_DOCS_REWRITE=1 to regenerate them after changing the schema.

import type { KeySpec } from './schema.js';
import { configSections, envNames, keysOfSection, qualifiedName } from './schema.js';
import { durationUnitsText, sizeUnitsText } from './units.js';
import { describeAccepted } from './values.js';

export const referenceBeginMarker = '<!-- BEGIN GENERATED KEY REFERENCE (server/config/docs.ts) -->';
export const referenceEndMarker = '<!-- END GENERATED KEY REFERENCE -->';

/** A default as it is written in TOML. */
export function tomlLiteral(value: KeySpec['default']): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
}

function reloadText(spec: KeySpec): string {
  return spec.reloadable ? 'reloaded on SIGHUP' : 'restart to change';
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function referenceRow(spec: KeySpec): string {
  const cells = [
    `\`${qualifiedName(spec)}\``,
    `\`${tomlLiteral(spec.default)}\``,
    describeAccepted(spec),
    envNames(spec).map((name) => `\`${name}\``).join(', '),
    spec.reloadable ? 'yes' : 'no (restart)',
    spec.description,
  ];
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

/** The generated part of docs/configuration.md, markers included. */
export function renderKeyReference(): string {
  const lines = [referenceBeginMarker, ''];
  for (const section of configSections) {
    lines.push(`### [${section.name}]`, '', section.description, '');
    lines.push('| Key | Default | Accepts | Environment variables | SIGHUP | What it does |');
    lines.push('|---|---|---|---|---|---|');
    for (const spec of keysOfSection(section.name)) lines.push(referenceRow(spec));
    lines.push('');
  }
  lines.push(referenceEndMarker);
  return lines.join('\n');
}

const tomlHeader = [
  '# ThunderDB configuration: every section and key, set to its default value.',
  '# Reference: docs/configuration.md.',
  '#',
  '# Precedence: built-in defaults < this file < THUNDERDB_* environment variables',
  '# (THUNDERDB_<SECTION>_<KEY>, e.g. THUNDERDB_STORAGE_SYNC_COMMIT=false).',
  '# Relative paths resolve against the directory holding this file.',
  `# Sizes take the units ${sizeUnitsText} (1KB = 1024 bytes); a bare integer is bytes.`,
  `# Durations take the units ${durationUnitsText}; a bare integer is milliseconds.`,
  '# Keys marked "reloaded on SIGHUP" change without a restart; the rest need one.',
  '#',
  '# Maintainers: generated from server/config/schema.ts; regenerate with',
  '#   CONFIG_DOCS_REWRITE=1 npx vitest run server/config/docs.test.ts',
];

/** The whole of config/thunderdb.toml. */
export function renderDefaultToml(): string {
  const lines = [...tomlHeader];
  for (const section of configSections) {
    lines.push('', `# ${section.description}`, `[${section.name}]`);
    for (const spec of keysOfSection(section.name)) {
      lines.push('');
      lines.push(`# ${spec.description}`);
      lines.push(`# Accepts ${describeAccepted(spec)}; ${reloadText(spec)}.`);
      lines.push(`# Environment: ${envNames(spec).join(', ')}.`);
      lines.push(`${spec.key} = ${tomlLiteral(spec.default)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
