// Sizes and durations as operators write them ("512MB", "60s") and as code
// holds them (bytes, milliseconds). Arithmetic is done in BigInt on the exact
// decimal digits, so "1.5GB" is accepted and "1.1MB" (1153433.6 bytes) is
// rejected instead of being silently rounded by binary floating point.

export const bytesPerKiB = 1024;
export const bytesPerMiB = 1024 * bytesPerKiB;
export const bytesPerGiB = 1024 * bytesPerMiB;
export const bytesPerTiB = 1024 * bytesPerGiB;

export const msPerSecond = 1000;
export const msPerMinute = 60 * msPerSecond;
export const msPerHour = 60 * msPerMinute;

/** The outcome of parsing a size or duration: a value, or why not. */
export type UnitParseResult =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly reason: string };

/** Thrown by `parseSize` and `parseDuration`; the message says what is wrong. */
export class UnitError extends Error {
  override readonly name = 'UnitError';
}

interface Unit {
  readonly symbol: string;
  readonly factor: number;
}

interface QuantityKind {
  readonly noun: 'size' | 'duration';
  readonly baseName: 'bytes' | 'milliseconds';
  /** Largest unit first, so formatting picks the largest exact one. */
  readonly units: readonly Unit[];
}

const sizeKind: QuantityKind = {
  noun: 'size',
  baseName: 'bytes',
  units: [
    { symbol: 'TB', factor: bytesPerTiB },
    { symbol: 'GB', factor: bytesPerGiB },
    { symbol: 'MB', factor: bytesPerMiB },
    { symbol: 'KB', factor: bytesPerKiB },
    { symbol: 'B', factor: 1 },
  ],
};

const durationKind: QuantityKind = {
  noun: 'duration',
  baseName: 'milliseconds',
  units: [
    { symbol: 'h', factor: msPerHour },
    { symbol: 'm', factor: msPerMinute },
    { symbol: 's', factor: msPerSecond },
    { symbol: 'ms', factor: 1 },
  ],
};

/** "B, KB, MB, GB, TB" / "ms, s, m, h": for messages and docs. */
export const sizeUnitsText = [...sizeKind.units].reverse().map((u) => u.symbol).join(', ');
export const durationUnitsText = [...durationKind.units].reverse().map((u) => u.symbol).join(', ');

// Digits, an optional fraction, optional spaces, an optional unit. No sign,
// exponent or leading dot: those are more likely typos than intent.
const quantityPattern = /^(\d+)(?:\.(\d+))?\s*([A-Za-z]*)$/;

function fail(reason: string): UnitParseResult {
  return { ok: false, reason };
}

function parseBareNumber(input: number, kind: QuantityKind): UnitParseResult {
  if (!Number.isFinite(input)) return fail(`${String(input)} is not a number`);
  if (input < 0) return fail(`a ${kind.noun} cannot be negative`);
  if (!Number.isInteger(input)) {
    return fail(`a number without a unit means ${kind.baseName} and must be a whole number`);
  }
  if (!Number.isSafeInteger(input)) return fail(`${String(input)} is too large`);
  return { ok: true, value: input };
}

function findUnit(symbol: string, kind: QuantityKind): Unit | undefined {
  const wanted = symbol.toLowerCase();
  return kind.units.find((u) => u.symbol.toLowerCase() === wanted);
}

function unknownUnitReason(symbol: string, kind: QuantityKind): string {
  const known = kind === sizeKind ? sizeUnitsText : durationUnitsText;
  // "KiB" is a common habit from other tools; say what to write instead.
  const hint = kind === sizeKind && /^[kmgt]ib$/i.test(symbol)
    ? ` (write ${symbol.slice(0, 1).toUpperCase()}B: 1KB = 1024 bytes here)`
    : '';
  return `"${symbol}" is not a ${kind.noun} unit; use one of ${known}${hint}`;
}

function parseQuantity(input: string | number, kind: QuantityKind): UnitParseResult {
  if (typeof input === 'number') return parseBareNumber(input, kind);
  const text = input.trim();
  if (text === '') return fail(`the ${kind.noun} is empty`);
  if (text.startsWith('-')) return fail(`a ${kind.noun} cannot be negative`);
  const match = quantityPattern.exec(text);
  if (match === null) return fail(`"${text}" is not a number followed by a unit`);
  const [, whole = '', fraction = '', symbol = ''] = match;
  const unit = symbol === '' ? { symbol: '', factor: 1 } : findUnit(symbol, kind);
  if (unit === undefined) return fail(unknownUnitReason(symbol, kind));
  const scaled = BigInt(whole + fraction) * BigInt(unit.factor);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) {
    return fail(symbol === ''
      ? `a number without a unit means ${kind.baseName} and must be a whole number`
      : `${text} is not a whole number of ${kind.baseName}`);
  }
  const value = scaled / divisor;
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return fail(`${text} is too large`);
  return { ok: true, value: Number(value) };
}

/** Parses "512MB", "1.5GB", "4096" (bytes) or a bare integer (bytes). 1KB = 1024. */
export function tryParseSize(input: string | number): UnitParseResult {
  return parseQuantity(input, sizeKind);
}

/** Parses "100ms", "1s", "5m", "2h", "250" (ms) or a bare integer (ms). */
export function tryParseDuration(input: string | number): UnitParseResult {
  return parseQuantity(input, durationKind);
}

/** Like `tryParseSize`, but throws `UnitError`. Returns bytes. */
export function parseSize(input: string | number): number {
  const result = tryParseSize(input);
  if (!result.ok) throw new UnitError(`invalid size ${JSON.stringify(input)}: ${result.reason}`);
  return result.value;
}

/** Like `tryParseDuration`, but throws `UnitError`. Returns milliseconds. */
export function parseDuration(input: string | number): number {
  const result = tryParseDuration(input);
  if (!result.ok) throw new UnitError(`invalid duration ${JSON.stringify(input)}: ${result.reason}`);
  return result.value;
}

function formatQuantity(value: number, kind: QuantityKind): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UnitError(`cannot format ${String(value)} ${kind.baseName}: not a non-negative integer`);
  }
  // The largest unit that divides exactly keeps the text exact and re-parsable.
  const unit = kind.units.find((u) => value % u.factor === 0 && value >= u.factor);
  const chosen = unit ?? kind.units[kind.units.length - 1];
  if (chosen === undefined) throw new UnitError(`no units defined for ${kind.noun}`);
  return `${value / chosen.factor}${chosen.symbol}`;
}

/** 1073741824 -> "1GB", 1536 -> "1536B": exact and accepted by `parseSize`. */
export function formatSize(bytes: number): string {
  return formatQuantity(bytes, sizeKind);
}

/** 60000 -> "1m", 1500 -> "1500ms": exact and accepted by `parseDuration`. */
export function formatDuration(ms: number): string {
  return formatQuantity(ms, durationKind);
}
