// `npm run sim -- --seeds N [--seed S] [--nodes 3|5|7] [--steps K] [--verbose] [--driver]`
// Runs the deterministic simulator (sim-world.ts; with --driver, the
// driver-level one, driver-sim.ts) over seeds S .. S+N-1
// (default S = 1, N = 1 with --seed, else 100), stops at the first failing
// seed, prints it with the command that replays it exactly, and exits 1.
// Without --nodes, each seed picks 3, 5 or 7 voters (seed mod 3).

import { runDriverSim } from './driver-sim.js';
import { SimFailure, runSimWorld, type SimStats } from './sim-world.js';

interface CliOptions {
  readonly firstSeed: number;
  readonly seedCount: number;
  readonly nodes: number | undefined;
  readonly steps: number;
  readonly verbose: boolean;
  readonly driver: boolean;
}

const usage = 'usage: npm run sim -- [--seeds N] [--seed S] [--nodes 3|5|7] [--steps K] [--verbose] [--driver]';

function parseArgs(argv: readonly string[]): CliOptions {
  const values = new Map<string, string>();
  let verbose = false;
  let driver = false;
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k] ?? '';
    if (arg === '--verbose') verbose = true;
    else if (arg === '--driver') driver = true;
    else if (arg === '--help' || arg === '-h') exitWith(usage, 0);
    else if (['--seeds', '--seed', '--nodes', '--steps'].includes(arg)) values.set(arg, argv[++k] ?? '');
    else exitWith(`unknown argument ${JSON.stringify(arg)}\n${usage}`, 2);
  }
  const integer = (name: string, fallback: number | undefined, min: number): number | undefined => {
    const text = values.get(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min) exitWith(`${name} ${JSON.stringify(text)}: expected an integer >= ${min}\n${usage}`, 2);
    return value;
  };
  const nodes = integer('--nodes', undefined, 1);
  if (nodes !== undefined && ![3, 5, 7].includes(nodes)) exitWith(`--nodes ${nodes}: expected 3, 5 or 7`, 2);
  const seed = integer('--seed', undefined, 0);
  return {
    firstSeed: seed ?? 1,
    seedCount: integer('--seeds', seed === undefined ? 100 : 1, 1) ?? 1,
    nodes,
    steps: integer('--steps', 5000, 1) ?? 5000,
    verbose,
    driver,
  };
}

function exitWith(message: string, code: number): never {
  (code === 0 ? console.log : console.error)(message);
  process.exit(code);
}

/** --driver: real drivers (replicated-log.ts) over MemoryWal disks; fewer knobs, slower per step. */
async function mainDriver(options: CliOptions): Promise<void> {
  const startedMs = performance.now();
  let acked = 0;
  let reads = 0;
  let crashes = 0;
  for (let seed = options.firstSeed; seed < options.firstSeed + options.seedCount; seed++) {
    const voterCount = options.nodes ?? [3, 5, 7][seed % 3] ?? 3;
    try {
      const stats = await runDriverSim({ seed, voterCount, steps: options.steps });
      acked += stats.proposalsAcked;
      reads += stats.readsCompleted;
      crashes += stats.crashes;
      if (options.verbose || options.seedCount === 1) console.log(JSON.stringify(stats));
    } catch (error) {
      const what = error instanceof SimFailure ? error.message : `seed ${seed}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      console.error(`FAILED ${what}\nreplay: npm run sim -- --driver --seed ${seed} --nodes ${voterCount} --steps ${options.steps}`);
      process.exit(1);
    }
  }
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  console.log(`ok (drivers): ${options.seedCount} seeds from ${options.firstSeed}, ${options.steps} steps each, in ${seconds} s: ${acked} writes acknowledged, ${reads} linearizable reads, ${crashes} crashes`);
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  if (options.driver) {
    void mainDriver(options);
    return;
  }
  const startedMs = performance.now();
  const totals = {
    acked: 0, reads: 0, crashes: 0, configChanges: 0, transfers: 0, leaderTerms: 0, messages: 0, snapshots: 0,
    dropped: 0, duplicated: 0, lost: 0, partitions: 0, linkCuts: 0, crashesLosingWrites: 0,
  };
  for (let seed = options.firstSeed; seed < options.firstSeed + options.seedCount; seed++) {
    const voterCount = options.nodes ?? [3, 5, 7][seed % 3] ?? 3;
    const replay = `npm run sim -- --seed ${seed} --nodes ${voterCount} --steps ${options.steps}`;
    let stats: SimStats;
    try {
      stats = runSimWorld({ seed, voterCount, steps: options.steps, ...(options.verbose ? { trace: (line: string) => console.log(line) } : {}) });
    } catch (error) {
      const what = error instanceof SimFailure ? error.message : `seed ${seed}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      console.error(`FAILED ${what}\nreplay: ${replay} --verbose`);
      process.exit(1);
    }
    totals.acked += stats.proposalsAcked;
    totals.reads += stats.readsCompleted;
    totals.crashes += stats.crashes;
    totals.configChanges += stats.configChanges;
    totals.transfers += stats.transfers;
    totals.leaderTerms += stats.leaderTerms;
    totals.messages += stats.messagesDelivered;
    totals.snapshots += stats.snapshotsInstalled;
    totals.dropped += stats.messagesDropped;
    totals.duplicated += stats.messagesDuplicated;
    totals.lost += stats.messagesLost;
    totals.partitions += stats.partitions;
    totals.linkCuts += stats.linkCuts;
    totals.crashesLosingWrites += stats.crashesLosingWrites;
    if (options.verbose || options.seedCount === 1) console.log(JSON.stringify(stats));
  }
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  console.log(
    `ok: ${options.seedCount} seeds from ${options.firstSeed}, ${options.steps} steps each, in ${seconds} s: ` +
      `${totals.acked} writes acknowledged, ${totals.reads} linearizable reads, ${totals.leaderTerms} leader terms, ` +
      `${totals.crashes} crashes, ${totals.configChanges} membership changes, ${totals.transfers} leader transfers, ` +
      `${totals.snapshots} snapshots installed, ` +
      `${totals.messages} messages delivered; faults injected: ${totals.dropped} messages dropped, ` +
      `${totals.duplicated} duplicated, ${totals.lost} lost to ${totals.partitions} partitions, ${totals.linkCuts} one-way cuts ` +
      `and crashes (${totals.crashesLosingWrites} crashes lost an unfinished write); 0 safety violations`,
  );
}

main();
