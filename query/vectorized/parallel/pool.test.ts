import { afterEach, describe, expect, it } from 'vitest';
import { parallelScanWorkersRunning, runSpread, setParallelScanWorkers, startParallelScanWorkers } from './pool.js';

afterEach(async () => {
  await setParallelScanWorkers(null);
});

describe('parallel scan pool', () => {
  it('starts its workers ahead of the first scan, and again after a resize', async () => {
    await setParallelScanWorkers(2);
    expect(parallelScanWorkersRunning()).toBe(0);
    startParallelScanWorkers();
    expect(parallelScanWorkersRunning()).toBe(2);
    // A second start adds nothing; the started workers serve the scan.
    startParallelScanWorkers();
    expect(parallelScanWorkersRunning()).toBe(2);
    expect(await runSpread(0, [], true, 2)).toEqual({ outputs: [], used: 2 });
    expect(parallelScanWorkersRunning()).toBe(2);
    await setParallelScanWorkers(3);
    expect(parallelScanWorkersRunning()).toBe(0);
    startParallelScanWorkers();
    expect(parallelScanWorkersRunning()).toBe(3);
  });

  it('starts none when scans run on the calling thread', async () => {
    await setParallelScanWorkers(1);
    startParallelScanWorkers();
    expect(parallelScanWorkersRunning()).toBe(0);
  });
});
