// kill -9 during a stream of appends loses nothing that was acknowledged:
// a real process commits through the Raft log and WAL with sync_commit on,
// is killed mid-write, and every acknowledged entry is read back intact.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openWal } from '../log/index.js';
import { makeTempDir, projectRoot, removeDir } from './helpers/server.js';

const dir = makeTempDir('thunderdb-crash-');
afterAll(() => removeDir(dir));
const writerScript = join(projectRoot, 'test', 'fixtures', 'append-writer.mjs');

/** Runs the writer until it has acknowledged `ackTarget` entries, then SIGKILLs it. */
function runAndKill(walDir: string, compression: string, ackTarget: number): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writerScript, walDir, '32', compression], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, string>();
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^ack (\d+) (.*)$/.exec(line);
        if (match) acked.set(Number(match[1]), match[2] ?? '');
      }
      if (!killed && acked.size >= ackTarget) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('crash safety', () => {
  for (const compression of ['lz4', 'none', 'zstd']) {
    it(`keeps every acknowledged entry through kill -9 (compression ${compression})`, async () => {
      const walDir = join(dir, compression);
      const acked = new Map<number, string>();
      // Three crash/restart rounds: each restart recovers a torn tail, if any,
      // and continues the same log in a new term.
      for (let round = 0; round < 3; round++) {
        for (const [index, payload] of await runAndKill(walDir, compression, 1500)) {
          // An index acknowledged twice would mean a committed entry was overwritten.
          expect(acked.has(index), `index ${index} acknowledged in two runs`).toBe(false);
          acked.set(index, payload);
        }
      }
      const wal = await openWal({
        dir: walDir, segmentSizeBytes: 256 * 1024, bufferSizeBytes: 1 << 20, syncCommit: true,
        compression: 'none', logger: pino({ level: 'silent' }),
      });
      try {
        const maxAcked = Math.max(...acked.keys());
        expect(wal.lastIndex()).toBeGreaterThanOrEqual(maxAcked);
        const entries = await wal.read(wal.firstIndex(), maxAcked + 1);
        const decoder = new TextDecoder();
        const byIndex = new Map(entries.map((e) => [e.index, decoder.decode(e.data)]));
        let checked = 0;
        for (const [index, payload] of acked) {
          expect(byIndex.get(index), `acknowledged entry ${index}`).toBe(payload);
          checked++;
        }
        expect(checked).toBeGreaterThanOrEqual(4500);
      } finally {
        await wal.close();
      }
    });
  }
});
