// power(), exp(), ln() and log() on numeric, with PostgreSQL's result-scale
// rules. Transcendental values are computed in BigInt fixed point with guard
// digits, then rounded once to the result scale.

import {
  DivisionByZeroError, InvalidArgumentForLogarithmError, InvalidArgumentForPowerFunctionError,
  NumericValueOutOfRangeError,
} from '../errors.js';
import { absBigInt, Decimal, pow10 } from './decimal.js';
import {
  compareNumeric, divideAtScale, divRoundHalfAway, numericMaxDisplayScale,
  numericMaxResultScale, numericMinSignificantDigits, numericRound,
} from './numeric-math.js';

const guardDigits = 12;
const int32Max = 2147483647;

function clampScale(scale: number, ...floors: number[]): number {
  return Math.min(Math.max(scale, ...floors, 0), numericMaxDisplayScale);
}

/** Approximate natural log of a finite positive value, safe beyond double range. */
function approxLn(d: Decimal): number {
  const digits = absBigInt(d.coefficient).toString();
  const lead = Number(`${digits.slice(0, 1)}.${digits.slice(1, 17)}`);
  return Math.log(lead) + (digits.length - 1 - d.scale) * Math.LN10;
}

/** estimate_ln_dweight(): decimal weight of ln(d). */
function estimateLnWeight(d: Decimal): number {
  if (d.coefficient <= 0n) return 0;
  const near = compareNumeric(d, Decimal.of(9n, 1)) >= 0 && compareNumeric(d, Decimal.of(11n, 1)) <= 0;
  if (near) {
    const x = d.coefficient - pow10(d.scale);
    if (x === 0n) return 0;
    return absBigInt(x).toString().length - 1 - d.scale;
  }
  return Math.trunc(Math.log10(Math.abs(approxLn(d))));
}

// ---- fixed point: a bigint v stands for v / 10^scale ----

/** atanh(1/n) * 10^scale for integer n >= 2. */
function atanhInverse(n: bigint, scale: number): bigint {
  const one = pow10(scale);
  let term = one / n;
  const n2 = n * n;
  let sum = term;
  for (let k = 3n; term !== 0n; k += 2n) {
    term /= n2;
    sum += term / k;
  }
  return sum;
}

const ln10Cache = new Map<number, bigint>();

/** ln(10) = 3·ln 2 + ln 1.25, with ln 2 = 2·atanh(1/3) and ln 1.25 = 2·atanh(1/9). */
function ln10Fixed(scale: number): bigint {
  const cached = ln10Cache.get(scale);
  if (cached !== undefined) return cached;
  const s = scale + 5;
  const ln2 = 2n * atanhInverse(3n, s);
  const ln125 = 2n * atanhInverse(9n, s);
  const value = (3n * ln2 + ln125) / 100000n;
  ln10Cache.set(scale, value);
  return value;
}

/** ln(v / 10^scale) for v > 0, at `scale`. */
function lnFixed(v: bigint, scale: number): bigint {
  const s = scale + guardDigits;
  let x = v * pow10(guardDigits);
  const one = pow10(s);
  // Move x into [1, 10) by powers of ten, then halve its logarithm by square roots.
  // tens = floor(log10(x / one)), from digit counts rather than a loop of divisions.
  let tens = x.toString().length - one.toString().length;
  x = tens >= 0 ? x / pow10(tens) : x * pow10(-tens);
  if (x < one) { x *= 10n; tens--; }
  let halvings = 0;
  const threshold = one + one / 100n;
  while (x > threshold) { x = sqrtFixed(x, s); halvings++; }
  // ln x = 2 atanh(z), z = (x - 1) / (x + 1)
  const z = ((x - one) * one) / (x + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = z;
  for (let k = 3n; term !== 0n; k += 2n) {
    term = (term * z2) / one;
    sum += term / k;
  }
  const lnx = 2n * sum * (1n << BigInt(halvings));
  return (lnx + BigInt(tens) * ln10Fixed(s)) / pow10(guardDigits);
}

function sqrtFixed(x: bigint, scale: number): bigint {
  let r = BigInt(Math.floor(Math.sqrt(Number(x) / 10 ** scale) * 1e8)) * pow10(scale) / 100000000n;
  if (r <= 0n) r = pow10(scale);
  const target = x * pow10(scale);
  for (let i = 0; i < 200; i++) {
    const next = (r + target / r) / 2n;
    if (next === r || next === r + 1n || next === r - 1n) return next;
    r = next;
  }
  return r;
}

/** e^(v / 10^scale) at `scale`. */
function expFixed(v: bigint, scale: number): bigint {
  const magnitude = Number(absBigInt(v) / pow10(scale)) + 1;
  const halvings = Math.max(0, Math.ceil(Math.log2(magnitude * 100)));
  const s = scale + guardDigits + Math.ceil(halvings * 0.31) + Math.ceil(magnitude / 2.3);
  const one = pow10(s);
  const x = (v * pow10(s - scale)) >> BigInt(halvings);
  let term = one;
  let sum = one;
  for (let k = 1n; term !== 0n; k++) {
    term = (term * x) / (one * k);
    sum += term;
  }
  for (let i = 0; i < halvings; i++) sum = (sum * sum) / one;
  return divRoundHalfAway(sum, pow10(s - scale));
}

function toFixed(d: Decimal, scale: number): bigint {
  return scale >= d.scale ? d.coefficient * pow10(scale - d.scale) : d.coefficient / pow10(d.scale - scale);
}

function checkLogArgument(d: Decimal): void {
  if (d.isNaN()) return;
  if (d.kind === '-infinity' || (d.isFinite() && d.coefficient < 0n)) {
    throw new InvalidArgumentForLogarithmError('cannot take logarithm of a negative number');
  }
  if (d.isFinite() && d.coefficient === 0n) throw new InvalidArgumentForLogarithmError('cannot take logarithm of zero');
}

/** ln(x) with PostgreSQL's scale: 16 significant digits, at least x's scale. */
export function numericLn(x: Decimal): Decimal {
  checkLogArgument(x);
  if (!x.isFinite()) return x;
  const scale = clampScale(numericMinSignificantDigits - estimateLnWeight(x), x.scale);
  const work = scale + guardDigits;
  return Decimal.of(divRoundHalfAway(lnFixed(toFixed(x, work + 20), work + 20), pow10(20 + guardDigits)), scale);
}

/** log(base, x) = ln(x) / ln(base). */
export function numericLog(base: Decimal, x: Decimal): Decimal {
  if (base.isNaN() || x.isNaN()) return Decimal.NaN;
  checkLogArgument(base);
  checkLogArgument(x);
  if (!base.isFinite() || !x.isFinite()) {
    if (!x.isFinite() && !base.isFinite()) return Decimal.NaN;
    return x.isFinite() ? Decimal.Zero : Decimal.Infinity;
  }
  if (compareNumeric(base, Decimal.One) === 0) throw new DivisionByZeroError();
  const resultWeight = estimateLnWeight(x) - estimateLnWeight(base);
  const scale = clampScale(numericMinSignificantDigits - resultWeight, base.scale, x.scale);
  const work = scale + guardDigits + Math.max(0, resultWeight) + 20;
  const lnX = Decimal.ofUnchecked(lnFixed(toFixed(x, work), work), work);
  const lnBase = Decimal.ofUnchecked(lnFixed(toFixed(base, work), work), work);
  return divideAtScale(lnX, lnBase, scale);
}

/** log10(x), i.e. SQL log(x). */
export function numericLog10(x: Decimal): Decimal {
  return numericLog(Decimal.fromInteger(10), x);
}

/** exp(x): 16 significant digits, at least x's scale. */
export function numericExp(x: Decimal): Decimal {
  if (x.isNaN() || x.kind === 'infinity') return x;
  if (x.kind === '-infinity') return Decimal.Zero;
  const natural = Number(x.coefficient) / 10 ** x.scale;
  if (Math.abs(natural) >= numericMaxResultScale * 3) {
    if (natural > 0) throw new NumericValueOutOfRangeError('value overflows numeric format');
  }
  const weight = Math.max(Math.min(natural * Math.LOG10E, numericMaxResultScale), -numericMaxResultScale);
  const scale = clampScale(numericMinSignificantDigits - Math.trunc(weight), x.scale);
  if (natural <= -numericMaxResultScale * 3) return Decimal.of(0n, scale);
  const work = scale + guardDigits;
  return numericRound(Decimal.ofUnchecked(expFixed(toFixed(x, work), work), work), scale);
}

/** numeric_is_integral(): infinities count as integral, NaN does not. */
function isIntegral(d: Decimal): boolean {
  if (!d.isFinite()) return !d.isNaN();
  return d.coefficient % pow10(d.scale) === 0n;
}

function isOddInteger(d: Decimal): boolean {
  return d.isFinite() && isIntegral(d) && (d.coefficient / pow10(d.scale)) % 2n !== 0n;
}

/** numeric_power's rules for NaN and infinite inputs (POSIX pow()). */
function powerSpecial(base: Decimal, exponent: Decimal): Decimal {
  if (base.isNaN()) return exponent.isFinite() && exponent.coefficient === 0n ? Decimal.One : Decimal.NaN;
  if (exponent.isNaN()) return base.isFinite() && compareNumeric(base, Decimal.One) === 0 ? Decimal.One : Decimal.NaN;
  checkPowerArguments(base, exponent);
  if (base.isFinite() && compareNumeric(base, Decimal.One) === 0) return Decimal.One;
  if (exponent.sign() === 0) return Decimal.One;
  if (base.sign() === 0 && exponent.sign() > 0) return Decimal.Zero;
  if (!exponent.isFinite()) {
    if (base.isFinite() && compareNumeric(base, Decimal.fromInteger(-1)) === 0) return Decimal.One;
    const absGreaterThanOne = !base.isFinite() || absBigInt(base.coefficient) > pow10(base.scale);
    return absGreaterThanOne === exponent.sign() > 0 ? Decimal.Infinity : Decimal.Zero;
  }
  if (base.kind === 'infinity') return exponent.sign() > 0 ? Decimal.Infinity : Decimal.Zero;
  if (exponent.sign() < 0) return Decimal.Zero;
  return isOddInteger(exponent) ? Decimal.NegativeInfinity : Decimal.Infinity;
}

function checkPowerArguments(base: Decimal, exponent: Decimal): void {
  if (base.sign() === 0 && exponent.sign() < 0) {
    throw new InvalidArgumentForPowerFunctionError('zero raised to a negative power is undefined');
  }
  if (base.sign() < 0 && !isIntegral(exponent)) {
    throw new InvalidArgumentForPowerFunctionError('a negative number raised to a non-integer power yields a complex result');
  }
}

/** power(base, exponent) / base ^ exponent. */
export function numericPower(base: Decimal, exponent: Decimal): Decimal {
  if (!base.isFinite() || !exponent.isFinite()) return powerSpecial(base, exponent);
  checkPowerArguments(base, exponent);
  if (isIntegral(exponent)) {
    const n = exponent.coefficient / pow10(exponent.scale);
    if (n >= -BigInt(int32Max) - 1n && n <= BigInt(int32Max)) return powerInteger(base, Number(n));
  }
  if (base.coefficient === 0n) return Decimal.of(0n, numericMinSignificantDigits);
  return powerReal(base, exponent);
}

/** power_var_int(): base ^ n rounded to max(16, scale of base), like PostgreSQL's. */
function powerInteger(base: Decimal, n: number): Decimal {
  const scale = clampScale(numericMinSignificantDigits, base.scale);
  if (n === 0) return Decimal.of(pow10(scale), scale);
  if (base.coefficient === 0n) {
    if (n < 0) throw new DivisionByZeroError();
    return Decimal.of(0n, scale);
  }
  // log10 of the result's magnitude (n·log10|base|), whichever the sign of n.
  const log10Magnitude = (n * approxLn(Decimal.of(absBigInt(base.coefficient), base.scale))) / Math.LN10;
  if (log10Magnitude > 3 * 32767 * 4) throw new NumericValueOutOfRangeError('value overflows numeric format');
  if (log10Magnitude + 1 < -scale) return Decimal.of(0n, scale);
  const magnitude = Math.abs(n);
  // Significant digits the result needs at `scale`, plus guard digits: each squaring doubles the
  // relative truncation error, so the error grows with n (PostgreSQL adds log(n) + 8 digits too).
  const keepDigits = Math.max(Math.ceil(log10Magnitude + scale), 1) + guardDigits + Math.ceil(Math.log10(magnitude + 1));
  const power = truncatedPower(absBigInt(base.coefficient), base.scale, magnitude, keepDigits);
  const negative = base.coefficient < 0n && magnitude % 2 === 1;
  const value = power.exponent >= 0 ? Decimal.of(power.mantissa * pow10(power.exponent), 0) : Decimal.ofUnchecked(power.mantissa, -power.exponent);
  const rounded = n > 0 ? numericRound(value, scale) : divideAtScale(Decimal.One, value, scale);
  return negative && rounded.coefficient !== 0n ? Decimal.of(-rounded.coefficient, rounded.scale) : rounded;
}

/**
 * (c × 10^-s)^n by binary exponentiation, truncated to `keepDigits`
 * significant digits after each product (as power_var_int limits its
 * intermediate precision): exact whenever the exact result is that short.
 */
function truncatedPower(c: bigint, s: number, n: number, keepDigits: number): { mantissa: bigint; exponent: number } {
  const truncate = (m: bigint, e: number): [bigint, number] => {
    const drop = m.toString().length - keepDigits;
    return drop > 0 ? [m / pow10(drop), e + drop] : [m, e];
  };
  let [rm, re] = [1n, 0];
  let [bm, be] = [c, -s];
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) [rm, re] = truncate(rm * bm, re + be);
    if (k > 1) [bm, be] = truncate(bm * bm, be * 2);
  }
  return { mantissa: rm, exponent: re };
}

/** Non-integer exponent: exp(exponent · ln(base)). */
function powerReal(base: Decimal, exponent: Decimal): Decimal {
  const negative = base.coefficient < 0n;
  const absBase = negative ? Decimal.of(-base.coefficient, base.scale) : base;
  const lnEstimate = approxLn(absBase) * (Number(exponent.coefficient) / 10 ** exponent.scale);
  if (Math.abs(lnEstimate) > numericMaxResultScale * 3.01) {
    if (lnEstimate > 0) throw new NumericValueOutOfRangeError('value overflows numeric format');
    return Decimal.of(0n, numericMaxDisplayScale);
  }
  const weight = lnEstimate * 0.434294481903252;
  const scale = clampScale(numericMinSignificantDigits - Math.trunc(weight), base.scale, exponent.scale);
  const work = scale + Math.max(0, Math.ceil(weight)) + guardDigits + 10;
  const lnBase = lnFixed(toFixed(absBase, work), work);
  const product = (lnBase * toFixed(exponent, work)) / pow10(work);
  const result = numericRound(Decimal.ofUnchecked(expFixed(product, work), work), scale);
  return negative && result.coefficient !== 0n ? Decimal.of(-result.coefficient, result.scale) : result;
}
