import { describe, expect, it } from 'vitest';
import { parseArgs } from './cli.js';

describe('parseArgs', () => {
  it('runs with built-in defaults when given nothing', () => {
    expect(parseArgs([], {})).toEqual({ kind: 'run', configPath: undefined });
  });
  it('takes --config in both spellings and -c', () => {
    expect(parseArgs(['--config', 'a.toml'], {})).toEqual({ kind: 'run', configPath: 'a.toml' });
    expect(parseArgs(['--config=b.toml'], {})).toEqual({ kind: 'run', configPath: 'b.toml' });
    expect(parseArgs(['-c', 'c.toml'], {})).toEqual({ kind: 'run', configPath: 'c.toml' });
  });
  it('falls back to THUNDERDB_CONFIG, and the flag wins over it', () => {
    expect(parseArgs([], { THUNDERDB_CONFIG: 'env.toml' })).toEqual({ kind: 'run', configPath: 'env.toml' });
    expect(parseArgs(['-c', 'flag.toml'], { THUNDERDB_CONFIG: 'env.toml' })).toEqual({ kind: 'run', configPath: 'flag.toml' });
  });
  it('recognises --version, --help and --check-config', () => {
    expect(parseArgs(['--version'], {}).kind).toBe('version');
    expect(parseArgs(['-V'], {}).kind).toBe('version');
    expect(parseArgs(['-h'], {}).kind).toBe('help');
    expect(parseArgs(['--check-config', '-c', 'x.toml'], {})).toEqual({ kind: 'check-config', configPath: 'x.toml' });
  });
  it('explains a missing value and an unknown option', () => {
    const missing = parseArgs(['--config'], {});
    expect(missing.kind).toBe('usage-error');
    expect(missing.kind === 'usage-error' && missing.message).toContain('needs a file path');
    const unknown = parseArgs(['--verbose'], {});
    expect(unknown.kind === 'usage-error' && unknown.message).toContain('"--verbose"');
  });
});
