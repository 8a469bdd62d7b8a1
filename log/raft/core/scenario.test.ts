// Scenario tests in the style of etcd's datadriven tests: each file in
// testdata/ is a script of commands, each followed by `----` and the output
// it must produce. Regenerate after an intended change with
//   RAFT_SCENARIO_REWRITE=1 npx vitest run log/raft/core/scenario
// and review the diff of testdata/ like code.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EntryKind, type LogEntry } from '../../types.js';
import { SimCluster } from '../testing/sim-cluster.js';
import { decodeConfigChange, type ConfigChangeOpName, type Membership } from './membership.js';
import type { Message } from './messages.js';
import { unreachable } from './assert.js';

const testdataDir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const rewrite = process.env.RAFT_SCENARIO_REWRITE === '1';
const decoder = new TextDecoder();

const ids = (list: string | undefined): number[] => (list ?? '').split(',').filter(Boolean).map(Number);
function entryText(e: LogEntry): string {
  if (e.kind === EntryKind.ConfigChange) {
    const { change } = decodeConfigChange(e.data);
    return `${e.index}/${e.term}:${change.op}(${change.nodeId})`;
  }
  return `${e.index}/${e.term}${e.data.byteLength > 0 ? `:${decoder.decode(e.data)}` : ''}`;
}

const describeMembership = (m: Membership): string => `voters=${m.voters.join(',')} learners=${m.learners.join(',') || '-'}`;

function describeMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.kind} term=${m.term}`;
  switch (m.kind) {
    case 'VoteRequest':
      return `${head} last=${m.lastLogIndex}/${m.lastLogTerm}${m.transfer ? ' transfer' : ''}`;
    case 'PreVoteRequest':
      return `${head} last=${m.lastLogIndex}/${m.lastLogTerm}`;
    case 'VoteResponse':
    case 'PreVoteResponse':
      return `${head} ${m.granted ? 'granted' : 'rejected'}`;
    case 'AppendRequest':
      return `${head} prev=${m.prevLogIndex}/${m.prevLogTerm} entries=[${m.entries.map(entryText).join(' ')}] commit=${m.commitIndex}${m.commitOnly ? ' commit-only' : ''}`;
    case 'AppendAccepted':
      return `${head} match=${m.matchIndex}`;
    case 'AppendRejected':
      return `${head} rejected=${m.rejectedIndex} hint=${m.hintIndex}/${m.hintTerm}`;
    case 'Heartbeat':
      return `${head} commit=${m.commitIndex}${m.readRound > 0 ? ` read=${m.readRound}` : ''}`;
    case 'HeartbeatResponse':
      return `${head}${m.readRound > 0 ? ` read=${m.readRound}` : ''}`;
    case 'ReadIndexRequest':
      return `${head} request=${m.requestId}`;
    case 'ReadIndexResponse':
      return `${head} request=${m.requestId} ${m.ok ? `index=${m.index}` : 'refused'}`;
    case 'InstallSnapshot':
      return `${head} snapshot=${m.snapshot.index}/${m.snapshot.term} ${describeMembership(m.snapshot.membership)}`;
    case 'TimeoutNow':
      return head;
    default:
      return unreachable(m, 'message');
  }
}

class ScenarioRunner {
  private sim: SimCluster | undefined;
  private delivered: string[] = [];

  run(command: string): string {
    const [name = '', ...args] = command.trim().split(/\s+/);
    if (name === 'cluster') {
      // cluster <ids> [seed] [pre-vote] [check-quorum] [tail=<entries the cores keep in memory>]
      const tail = args.find((arg) => arg.startsWith('tail='));
      this.sim = new SimCluster({
        voters: ids(args[0]),
        seed: /^\d+$/.test(args[1] ?? '') ? Number(args[1]) : 1,
        preVote: args.includes('pre-vote'),
        checkQuorum: args.includes('check-quorum'),
        ...(tail === undefined ? {} : { limits: { tailEntriesMax: Number(tail.slice('tail='.length)) } }),
      });
      this.sim.onDeliver = (m) => this.delivered.push(describeMessage(m));
      this.sim.onInstallSnapshot = (node, meta) => this.delivered.push(`${node}: installed snapshot ${meta.index}/${meta.term} ${describeMembership(meta.membership)}`);
      return 'ok';
    }
    const sim = this.sim;
    if (sim === undefined) throw new Error('start with: cluster <ids> [seed]');
    this.delivered = [];
    const id = Number(args[0]);
    switch (name) {
      case 'campaign':
        sim.campaign(id);
        return this.delivered.join('\n');
      case 'stabilize':
        sim.stabilize();
        return this.delivered.join('\n') || 'nothing to do';
      case 'tick-all':
        sim.tickAll(Number(args[0] ?? 1));
        return 'ok';
      case 'propose': {
        const result = sim.propose(id, args.slice(1).join(' '));
        return result.ok ? `index=${result.index} term=${result.term}` : `refused: not leader (leader ${result.leaderId})`;
      }
      case 'isolate':
        sim.isolate(id);
        return 'ok';
      case 'partition':
        sim.partition(...args.map(ids));
        return 'ok';
      case 'heal':
        sim.heal();
        return 'ok';
      case 'crash':
        sim.crash(id);
        return 'ok';
      case 'restart':
        sim.restart(id);
        return 'ok';
      case 'status':
        return [...sim.nodes.values()].map((n) => {
          const s = n.core.status();
          return `${n.id}: ${n.alive ? s.role : 'down'} term=${s.term} leader=${s.leaderId} commit=${s.commitIndex} applied=${n.applied.length} last=${s.lastIndex}`;
        }).join('\n');
      case 'log': {
        const storage = sim.node(id).storage;
        const snapshot = storage.snap === undefined ? [] : [`snapshot=${storage.snap.index}/${storage.snap.term}`];
        return [...snapshot, ...storage.entries.map(entryText)].join(' ') || '(empty)';
      }
      case 'add-learner':
      case 'promote':
      case 'remove': {
        // add-learner|promote|remove <leader> <node>
        const op: ConfigChangeOpName = name === 'add-learner' ? 'addLearner' : name;
        const result = sim.proposeConfigChange(id, { op, nodeId: Number(args[1]) });
        if (result.ok) return `index=${result.index} term=${result.term}`;
        return result.reason === 'rejected' ? `rejected: ${result.message}` : `refused: ${result.reason} (leader ${result.leaderId})`;
      }
      case 'compact': {
        // compact <node> <index>
        const meta = sim.compact(id, Number(args[1]));
        return `snapshot=${meta.index}/${meta.term} ${describeMembership(meta.membership)}`;
      }
      case 'config': {
        // config <node>: the configuration in force on that node, and the index of its entry (0: the initial one)
        const s = sim.core(id).status();
        return `${describeMembership(s)} index=${s.configIndex}`;
      }
      case 'tick':
        // tick <id> [times]
        for (let k = 0; k < Number(args[1] ?? 1); k++) sim.tick(id);
        return 'ok';
      case 'read-index': {
        // read-index <id> <requestId>
        const result = sim.core(id).readIndex(Number(args[1]));
        return result.ok ? 'ok' : `refused: ${result.reason}`;
      }
      case 'read-states': {
        const states = sim.readStates.map(({ node, state }) => `${node}: request=${state.requestId} ${state.ok ? `index=${state.index}` : 'failed'}`);
        sim.readStates = [];
        return states.join('\n') || '(none)';
      }
      case 'transfer': {
        // transfer <leader> <target>
        const refusal = sim.core(id).transferLeadership(Number(args[1]));
        return refusal === undefined ? 'ok' : `refused: ${refusal}`;
      }
      default:
        throw new Error(`unknown command: ${command}`);
    }
  }
}

/** Splits a script into (command, expected output) pairs separated by `----`, blocks by blank lines. */
function runScript(script: string): string {
  const runner = new ScenarioRunner();
  const out: string[] = [];
  const blocks = script.split(/\n\s*\n/);
  for (const block of blocks) {
    const lines = block.split('\n');
    const separator = lines.indexOf('----');
    const head = separator === -1 ? lines : lines.slice(0, separator);
    const comments = head.filter((line) => line.startsWith('#'));
    const command = head.filter((line) => !line.startsWith('#') && line.trim() !== '').join(' ');
    if (command === '') {
      if (comments.length > 0) out.push(comments.join('\n'));
      continue;
    }
    out.push([...comments, command, '----', runner.run(command)].join('\n'));
  }
  return out.join('\n\n') + '\n';
}

describe('Raft scenarios (testdata/*.txt)', () => {
  for (const file of readdirSync(testdataDir).filter((f) => f.endsWith('.txt'))) {
    it(file, () => {
      const path = join(testdataDir, file);
      const expected = readFileSync(path, 'utf8');
      const actual = runScript(expected);
      if (rewrite) writeFileSync(path, actual);
      else expect(actual).toBe(expected);
    });
  }
});
