// A deterministic generator of TPC-H-shaped data (our own code, not dbgen):
// the 8 tables with TPC-H's columns and types, cardinalities scaled by the
// scale factor, and value distributions that follow the specification (4.2.3)
// closely enough that queries 1-22 select what they select on dbgen data:
// order dates uniform over 1992-01-01 .. 1998-08-02, ship/commit/receipt dates
// derived from them, return flags and line status against 1995-06-17, the
// p_type / p_container / p_brand / segment / priority / ship-mode domains,
// the retail price formula and the 4 suppliers of each part. Comments are
// words drawn from a small vocabulary rather than dbgen's grammar.
//
// Everything derives from one seed: each table has its own stream, and the
// lines of an order come from a stream keyed by the order, so `orders`
// (whose status and total price summarise its lines) and `lineitem` are
// generated independently and still agree. Output is PostgreSQL COPY text
// (tab-separated, no value needs escaping), in chunks of rows.

export const tpchTableNames = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'] as const;
export type TpchTable = (typeof tpchTableNames)[number];

/** CREATE TABLE statements in the TPC-H schema (PostgreSQL and DuckDB accept both). */
export const tpchSchema: Readonly<Record<TpchTable, string>> = {
  region: 'CREATE TABLE region (r_regionkey integer NOT NULL, r_name char(25) NOT NULL, r_comment varchar(152), PRIMARY KEY (r_regionkey))',
  nation: 'CREATE TABLE nation (n_nationkey integer NOT NULL, n_name char(25) NOT NULL, n_regionkey integer NOT NULL, n_comment varchar(152), PRIMARY KEY (n_nationkey))',
  supplier: 'CREATE TABLE supplier (s_suppkey integer NOT NULL, s_name char(25) NOT NULL, s_address varchar(40) NOT NULL, s_nationkey integer NOT NULL, s_phone char(15) NOT NULL, s_acctbal numeric(15,2) NOT NULL, s_comment varchar(101) NOT NULL, PRIMARY KEY (s_suppkey))',
  customer: 'CREATE TABLE customer (c_custkey integer NOT NULL, c_name varchar(25) NOT NULL, c_address varchar(40) NOT NULL, c_nationkey integer NOT NULL, c_phone char(15) NOT NULL, c_acctbal numeric(15,2) NOT NULL, c_mktsegment char(10) NOT NULL, c_comment varchar(117) NOT NULL, PRIMARY KEY (c_custkey))',
  part: 'CREATE TABLE part (p_partkey integer NOT NULL, p_name varchar(55) NOT NULL, p_mfgr char(25) NOT NULL, p_brand char(10) NOT NULL, p_type varchar(25) NOT NULL, p_size integer NOT NULL, p_container char(10) NOT NULL, p_retailprice numeric(15,2) NOT NULL, p_comment varchar(23) NOT NULL, PRIMARY KEY (p_partkey))',
  partsupp: 'CREATE TABLE partsupp (ps_partkey integer NOT NULL, ps_suppkey integer NOT NULL, ps_availqty integer NOT NULL, ps_supplycost numeric(15,2) NOT NULL, ps_comment varchar(199) NOT NULL, PRIMARY KEY (ps_partkey, ps_suppkey))',
  orders: 'CREATE TABLE orders (o_orderkey integer NOT NULL, o_custkey integer NOT NULL, o_orderstatus char(1) NOT NULL, o_totalprice numeric(15,2) NOT NULL, o_orderdate date NOT NULL, o_orderpriority char(15) NOT NULL, o_clerk char(15) NOT NULL, o_shippriority integer NOT NULL, o_comment varchar(79) NOT NULL, PRIMARY KEY (o_orderkey))',
  lineitem: 'CREATE TABLE lineitem (l_orderkey integer NOT NULL, l_partkey integer NOT NULL, l_suppkey integer NOT NULL, l_linenumber integer NOT NULL, l_quantity numeric(15,2) NOT NULL, l_extendedprice numeric(15,2) NOT NULL, l_discount numeric(15,2) NOT NULL, l_tax numeric(15,2) NOT NULL, l_returnflag char(1) NOT NULL, l_linestatus char(1) NOT NULL, l_shipdate date NOT NULL, l_commitdate date NOT NULL, l_receiptdate date NOT NULL, l_shipinstruct char(25) NOT NULL, l_shipmode char(10) NOT NULL, l_comment varchar(44) NOT NULL, PRIMARY KEY (l_orderkey, l_linenumber))',
};

export interface TpchOptions {
  readonly scaleFactor: number;
  readonly seed?: number;
  /** Rows per emitted chunk of COPY text. */
  readonly chunkRows?: number;
}

const seedDefault = 20_261_127;
const chunkRowsDefault = 4096;

const regions = ['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'] as const;
// [name, region] in n_nationkey order, as in the specification (4.2.3).
const nations: readonly (readonly [string, number])[] = [
  ['ALGERIA', 0], ['ARGENTINA', 1], ['BRAZIL', 1], ['CANADA', 1], ['EGYPT', 4], ['ETHIOPIA', 0], ['FRANCE', 3],
  ['GERMANY', 3], ['INDIA', 2], ['INDONESIA', 2], ['IRAN', 4], ['IRAQ', 4], ['JAPAN', 2], ['JORDAN', 4], ['KENYA', 0],
  ['MOROCCO', 0], ['MOZAMBIQUE', 0], ['PERU', 1], ['CHINA', 2], ['ROMANIA', 3], ['SAUDI ARABIA', 4], ['VIETNAM', 2],
  ['RUSSIA', 3], ['UNITED KINGDOM', 3], ['UNITED STATES', 1],
];
const segments = ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY'] as const;
const priorities = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'] as const;
const shipInstructs = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'] as const;
const shipModes = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'] as const;
const typeSyllables1 = ['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'] as const;
const typeSyllables2 = ['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED'] as const;
const typeSyllables3 = ['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'] as const;
const containerSyllables1 = ['SM', 'LG', 'MED', 'JUMBO', 'WRAP'] as const;
const containerSyllables2 = ['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM'] as const;
const colors = [
  'almond', 'antique', 'aquamarine', 'azure', 'beige', 'bisque', 'black', 'blanched', 'blue', 'blush', 'brown', 'burlywood',
  'burnished', 'chartreuse', 'chiffon', 'chocolate', 'coral', 'cornflower', 'cornsilk', 'cream', 'cyan', 'dark', 'deep',
  'dim', 'dodger', 'drab', 'firebrick', 'floral', 'forest', 'frosted', 'gainsboro', 'ghost', 'goldenrod', 'green', 'grey',
  'honeydew', 'hot', 'indian', 'ivory', 'khaki', 'lace', 'lavender', 'lawn', 'lemon', 'light', 'lime', 'linen', 'magenta',
  'maroon', 'medium', 'metallic', 'midnight', 'mint', 'misty', 'moccasin', 'navajo', 'navy', 'olive', 'orange', 'orchid',
  'pale', 'papaya', 'peach', 'peru', 'pink', 'plum', 'powder', 'puff', 'purple', 'red', 'rose', 'rosy', 'royal', 'saddle',
  'salmon', 'sandy', 'seashell', 'sienna', 'sky', 'slate', 'smoke', 'snow', 'spring', 'steel', 'tan', 'thistle', 'tomato',
  'turquoise', 'violet', 'wheat', 'white', 'yellow',
] as const;
const words = [
  'furiously', 'quickly', 'carefully', 'blithely', 'slyly', 'regular', 'final', 'express', 'pending', 'ironic', 'special',
  'bold', 'even', 'silent', 'unusual', 'deposits', 'requests', 'accounts', 'packages', 'instructions', 'theodolites',
  'pinto', 'beans', 'foxes', 'ideas', 'dependencies', 'excuses', 'platelets', 'asymptotes', 'courts', 'dolphins', 'sleep',
  'wake', 'are', 'haggle', 'nag', 'use', 'boost', 'affix', 'detect', 'integrate', 'cajole', 'among', 'across', 'after',
  'against', 'along', 'the', 'fluffily', 'according', 'to', 'about', 'above', 'beyond',
] as const;

// Dates are day numbers from 1992-01-01; CURRENTDATE of the specification is 1995-06-17.
const dayStart = Date.UTC(1992, 0, 1);
const daysToCurrentDate = (Date.UTC(1995, 5, 17) - dayStart) / 86_400_000;
const orderDateSpanDays = (Date.UTC(1998, 11, 31) - dayStart) / 86_400_000 - 151;
const dateTexts: readonly string[] = Array.from({ length: orderDateSpanDays + 200 }, (_, day) => new Date(dayStart + day * 86_400_000).toISOString().slice(0, 10));

function dateText(day: number): string {
  const text = dateTexts[day];
  if (text === undefined) throw new Error(`tpch-gen: day ${day} is outside the generated calendar`);
  return text;
}

/** A small, fast, seeded PRNG (splitmix32 over a 32-bit state). */
class Random {
  private state: number;
  constructor(seed: number) { this.state = seed | 0; }
  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4_294_967_296;
  }
  /** Uniform integer in [low, high]. */
  int(low: number, high: number): number { return low + Math.floor(this.next() * (high - low + 1)); }
  pick<T>(values: readonly T[]): T { return values[Math.floor(this.next() * values.length)] as T; }
  text(lengthMin: number, lengthMax: number): string {
    const length = this.int(lengthMin, lengthMax);
    let out = this.pick(words);
    while (out.length < length) out += ' ' + this.pick(words);
    return out.slice(0, length).trimEnd();
  }
  alnum(lengthMin: number, lengthMax: number): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,';
    const length = this.int(lengthMin, lengthMax);
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

function mixSeed(seed: number, stream: number, key: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(stream + 1, 0x165667b1) ^ Math.imul(key, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
  return h ^ (h >>> 13);
}

function pad9(n: number): string { return String(n).padStart(9, '0'); }

/** Cents as TPC-H money text: 12345 → "123.45", -5 → "-0.05". */
function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const fraction = abs % 100;
  return `${sign}${(abs - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`;
}

function phone(random: Random, nationKey: number): string {
  return `${nationKey + 10}-${random.int(100, 999)}-${random.int(100, 999)}-${random.int(1000, 9999)}`;
}

export interface TpchCardinalities {
  readonly supplier: number;
  readonly customer: number;
  readonly part: number;
  readonly orders: number;
}

export function tpchCardinalities(scaleFactor: number): TpchCardinalities {
  if (!(scaleFactor > 0)) throw new Error(`tpch-gen: scale factor must be positive, got ${scaleFactor}`);
  const scaled = (base: number): number => Math.max(1, Math.round(base * scaleFactor));
  return { supplier: scaled(10_000), customer: scaled(150_000), part: scaled(200_000), orders: scaled(1_500_000) };
}

/** p_retailprice in cents, the specification's formula. */
function retailPriceCents(partKey: number): number {
  return 90_000 + (Math.floor(partKey / 10) % 20_001) + 100 * (partKey % 1000);
}

/** The i-th (0..3) supplier of a part, the specification's formula. */
function partSupplier(partKey: number, i: number, suppliers: number): number {
  return ((partKey + i * (Math.floor(suppliers / 4) + Math.floor((partKey - 1) / suppliers))) % suppliers) + 1;
}

interface Line {
  readonly partKey: number;
  readonly suppKey: number;
  readonly quantity: number;
  readonly extendedPriceCents: number;
  readonly discountPercent: number;
  readonly taxPercent: number;
  readonly returnFlag: string;
  readonly lineStatus: string;
  readonly shipDay: number;
  readonly commitDay: number;
  readonly receiptDay: number;
}

interface Order {
  readonly custKey: number;
  readonly orderDay: number;
  readonly lines: readonly Line[];
}

function makeOrder(seed: number, orderKey: number, sizes: TpchCardinalities): Order {
  const random = new Random(mixSeed(seed, 6, orderKey));
  // A third of the customers (custkey divisible by 3) place no orders.
  let custKey = random.int(1, sizes.customer);
  if (sizes.customer >= 3) while (custKey % 3 === 0) custKey = random.int(1, sizes.customer);
  const orderDay = random.int(0, orderDateSpanDays);
  const lineCount = random.int(1, 7);
  const lines: Line[] = [];
  for (let i = 0; i < lineCount; i++) {
    const partKey = random.int(1, sizes.part);
    const suppKey = partSupplier(partKey, random.int(0, 3), sizes.supplier);
    const quantity = random.int(1, 50);
    const shipDay = orderDay + random.int(1, 121);
    const commitDay = orderDay + random.int(30, 90);
    const receiptDay = shipDay + random.int(1, 30);
    const returnFlag = receiptDay <= daysToCurrentDate ? (random.next() < 0.5 ? 'R' : 'A') : 'N';
    lines.push({
      partKey, suppKey, quantity, extendedPriceCents: quantity * retailPriceCents(partKey),
      discountPercent: random.int(0, 10), taxPercent: random.int(0, 8), returnFlag,
      lineStatus: shipDay > daysToCurrentDate ? 'O' : 'F', shipDay, commitDay, receiptDay,
    });
  }
  return { custKey, orderDay, lines };
}

type RowWriter = (key: number, random: Random) => string;

function rowWriter(table: TpchTable, seed: number, sizes: TpchCardinalities): { count: number; write: RowWriter } {
  switch (table) {
    case 'region':
      return { count: regions.length, write: (k, r) => `${k - 1}\t${regions[k - 1]}\t${r.text(31, 115)}` };
    case 'nation':
      return {
        count: nations.length,
        write: (k, r) => { const [name, region] = nations[k - 1] ?? ['', 0]; return `${k - 1}\t${name}\t${region}\t${r.text(31, 114)}`; },
      };
    case 'supplier':
      return {
        count: sizes.supplier,
        write: (k, r) => {
          const nation = r.int(0, 24);
          return `${k}\tSupplier#${pad9(k)}\t${r.alnum(10, 40)}\t${nation}\t${phone(r, nation)}\t${money(r.int(-99_999, 999_999))}\t${r.text(25, 100)}`;
        },
      };
    case 'customer':
      return {
        count: sizes.customer,
        write: (k, r) => {
          const nation = r.int(0, 24);
          return `${k}\tCustomer#${pad9(k)}\t${r.alnum(10, 40)}\t${nation}\t${phone(r, nation)}\t${money(r.int(-99_999, 999_999))}\t${r.pick(segments)}\t${r.text(29, 116)}`;
        },
      };
    case 'part':
      return {
        count: sizes.part,
        write: (k, r) => {
          const name = [r.pick(colors), r.pick(colors), r.pick(colors), r.pick(colors), r.pick(colors)].join(' ');
          const m = r.int(1, 5);
          const type = `${r.pick(typeSyllables1)} ${r.pick(typeSyllables2)} ${r.pick(typeSyllables3)}`;
          const container = `${r.pick(containerSyllables1)} ${r.pick(containerSyllables2)}`;
          return `${k}\t${name}\tManufacturer#${m}\tBrand#${m}${r.int(1, 5)}\t${type}\t${r.int(1, 50)}\t${container}\t${money(retailPriceCents(k))}\t${r.text(5, 22)}`;
        },
      };
    case 'partsupp':
      // Four rows per part; the key counts rows, so part = ceil(key / 4).
      return {
        count: sizes.part * 4,
        write: (k, r) => {
          const part = Math.ceil(k / 4);
          return `${part}\t${partSupplier(part, (k - 1) % 4, sizes.supplier)}\t${r.int(1, 9999)}\t${money(r.int(100, 100_000))}\t${r.text(49, 198)}`;
        },
      };
    case 'orders':
      return {
        count: sizes.orders,
        write: (k, r) => {
          const order = makeOrder(seed, k, sizes);
          let totalCents = 0;
          let shipped = 0;
          for (const line of order.lines) {
            totalCents += Math.round((line.extendedPriceCents * (100 + line.taxPercent) * (100 - line.discountPercent)) / 10_000);
            if (line.lineStatus === 'F') shipped++;
          }
          const status = shipped === order.lines.length ? 'F' : shipped === 0 ? 'O' : 'P';
          const clerk = `Clerk#${pad9(r.int(1, Math.max(1, Math.round(sizes.supplier / 10))))}`;
          return `${k}\t${order.custKey}\t${status}\t${money(totalCents)}\t${dateText(order.orderDay)}\t${r.pick(priorities)}\t${clerk}\t0\t${r.text(19, 78)}`;
        },
      };
    case 'lineitem':
      // Keyed by order: one call writes all the lines of order k.
      return {
        count: sizes.orders,
        write: (k, r) => {
          const order = makeOrder(seed, k, sizes);
          const rows: string[] = [];
          order.lines.forEach((line, i) => {
            rows.push(`${k}\t${line.partKey}\t${line.suppKey}\t${i + 1}\t${line.quantity}\t${money(line.extendedPriceCents)}\t${money(line.discountPercent)}\t${money(line.taxPercent)}\t${line.returnFlag}\t${line.lineStatus}\t${dateText(line.shipDay)}\t${dateText(line.commitDay)}\t${dateText(line.receiptDay)}\t${r.pick(shipInstructs)}\t${r.pick(shipModes)}\t${r.text(10, 43)}`);
          });
          return rows.join('\n');
        },
      };
    default: {
      const unknown: never = table;
      throw new Error(`tpch-gen: unknown table ${String(unknown)}`);
    }
  }
}

/**
 * COPY text for one table, in chunks of about `chunkRows` rows, each ending
 * in a newline. The same options give the same bytes on every run.
 */
export function* tpchCopyText(table: TpchTable, options: TpchOptions): Generator<string> {
  const seed = options.seed ?? seedDefault;
  const chunkRows = options.chunkRows ?? chunkRowsDefault;
  const sizes = tpchCardinalities(options.scaleFactor);
  const { count, write } = rowWriter(table, seed, sizes);
  const random = new Random(mixSeed(seed, tpchTableNames.indexOf(table), 0));
  let parts: string[] = [];
  for (let key = 1; key <= count; key++) {
    parts.push(write(key, random));
    if (parts.length >= chunkRows) {
      yield parts.join('\n') + '\n';
      parts = [];
    }
  }
  if (parts.length > 0) yield parts.join('\n') + '\n';
}

/** Rows in a table: exact except lineitem (about 4 per order), which is counted by generating it. */
export function tpchApproximateRows(table: TpchTable, scaleFactor: number): number {
  const sizes = tpchCardinalities(scaleFactor);
  switch (table) {
    case 'region': return regions.length;
    case 'nation': return nations.length;
    case 'supplier': return sizes.supplier;
    case 'customer': return sizes.customer;
    case 'part': return sizes.part;
    case 'partsupp': return sizes.part * 4;
    case 'orders': return sizes.orders;
    case 'lineitem': return sizes.orders * 4;
    default: {
      const unknown: never = table;
      throw new Error(`tpch-gen: unknown table ${String(unknown)}`);
    }
  }
}
