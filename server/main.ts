// The thunderdb process: parse the command line, load and validate the
// configuration, start the node, and translate signals into lifecycle steps.
import type { Logger } from 'pino';
import { parseArgs, usageText } from './cli.js';
import { StartAbortedError } from './cluster.js';
import { ConfigError, diffReloadable, effectiveSettings, loadConfig } from './config/index.js';
import type { ThunderConfig } from './config/types.js';
import { createLogger } from './logger.js';
import { startNode, type RunningNode } from './node.js';
import { createSystemdNotifier, type SystemdNotifier } from './sd-notify.js';
import { StartupError } from './startup-error.js';
import { versionLine } from './version.js';

const exitOk = 0;
const exitFailure = 1;
const exitUsage = 2;

function printError(message: string): void {
  process.stderr.write(`thunderdb: ${message}\n`);
}

function reloadConfig(current: ThunderConfig, node: RunningNode, logger: Logger): ThunderConfig {
  if (current.sourcePath === undefined) {
    logger.info('SIGHUP: no config file in use (started without --config); re-reading the environment only');
  }
  let next: ThunderConfig;
  try {
    next = loadConfig({ path: current.sourcePath, env: process.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    logger.error({ err: err.message }, 'SIGHUP: configuration rejected; the running configuration stays in force');
    return current;
  }
  const diff = diffReloadable(current, next);
  for (const change of diff.needsRestart) {
    logger.warn(
      { key: change.key, before: change.before, after: change.after },
      'SIGHUP: this setting changed but only takes effect after a restart',
    );
  }
  node.applyReload(next);
  logger.info({ changed: diff.reloaded.map((change) => `${change.key}: ${change.before} -> ${change.after}`) }, 'SIGHUP: configuration reloaded');
  return next;
}

/**
 * Routes signals to lifecycle steps. Installed before the node starts, so a
 * SIGTERM during WAL recovery stops the node once its log is open (instead of
 * killing it mid-recovery by the default action) and SIGHUP is not fatal.
 */
class SignalRouter {
  private node: RunningNode | undefined;
  private pendingStop: NodeJS.Signals | undefined;
  /** Aborted by a stop while starting: ends waits for peers or a leader that may never finish. */
  readonly startAbort = new AbortController();
  private config: ThunderConfig;
  private resolveExit: (code: number) => void = () => undefined;
  readonly exitCode: Promise<number>;

  constructor(config: ThunderConfig, private readonly logger: Logger, private readonly notifier: SystemdNotifier) {
    this.config = config;
    this.exitCode = new Promise<number>((resolve) => { this.resolveExit = resolve; });
    process.on('SIGTERM', (signal) => this.stop(signal));
    process.on('SIGINT', (signal) => this.stop(signal));
    process.on('SIGHUP', () => this.reload());
  }

  /** The node is serving; act on a stop that arrived while it started. */
  attach(node: RunningNode): void {
    this.node = node;
    if (this.pendingStop !== undefined) this.stop(this.pendingStop);
  }

  private stop(signal: NodeJS.Signals): void {
    if (this.node === undefined) {
      this.pendingStop = signal;
      this.logger.info({ signal }, 'stop requested while starting: stopping as soon as the log is open');
      this.startAbort.abort();
      return;
    }
    this.node.stop(`received ${signal}`).then(
      () => this.resolveExit(exitOk),
      (err: unknown) => {
        this.logger.error({ err }, 'shutdown failed: the WAL may not be fully synced');
        this.resolveExit(exitFailure);
      },
    );
  }

  private reload(): void {
    const node = this.node;
    if (node === undefined) {
      this.logger.info('SIGHUP while starting: ignored; send it again once the node is ready');
      return;
    }
    void (async () => {
      await this.notifier.notify('RELOADING=1');
      this.config = reloadConfig(this.config, node, this.logger);
      await this.notifier.notify('READY=1');
    })().catch((err: unknown) => this.logger.error({ err }, 'SIGHUP: reload failed; the running configuration stays in force'));
  }
}

async function run(configPath: string | undefined, checkOnly: boolean): Promise<number> {
  let config: ThunderConfig;
  try {
    config = loadConfig({ path: configPath, env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      printError(err.message);
      return exitUsage;
    }
    throw err;
  }
  if (checkOnly) {
    process.stdout.write(`configuration OK${config.sourcePath ? ` (${config.sourcePath})` : ' (built-in defaults)'}\n`);
    // Secrets are redacted by effectiveSettings; never print the raw config.
    for (const setting of effectiveSettings(config)) {
      process.stdout.write(`${setting.key} = ${setting.value}${setting.reloadable ? '  # reloadable' : ''}\n`);
    }
    return exitOk;
  }
  const logger = createLogger({ level: config.logging.level, format: config.logging.format });
  process.on('uncaughtException', (err) => {
    // A broken invariant or a bug: stop rather than serve from a state we no
    // longer trust. Bad client input never reaches here.
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(exitFailure);
  });
  const notifier = createSystemdNotifier(process.env, logger);
  const signals = new SignalRouter(config, logger, notifier);
  logger.info({ version: versionLine(), config: config.sourcePath ?? 'built-in defaults' }, 'starting ThunderDB');
  try {
    signals.attach(await startNode(config, {
      logger,
      notifier,
      abort: signals.startAbort.signal,
      onFatal: (error) => {
        logger.fatal({ err: error }, 'the log stopped on a storage error or broken invariant; exiting');
        printError(`the log stopped: ${error.message}; see the log above, then restart (the WAL is checked at start)`);
        process.exit(exitFailure);
      },
    }));
  } catch (err) {
    if (err instanceof StartAbortedError) {
      logger.info({ reason: err.message }, 'stopped cleanly before serving');
      return exitOk;
    }
    const message = err instanceof StartupError ? err.message : (err as Error).message;
    logger.error({ err: message }, 'start failed');
    printError(message);
    return exitFailure;
  }
  return signals.exitCode;
}

/** Entry point used by bin/thunderdb; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const command = parseArgs(argv, process.env);
  switch (command.kind) {
    case 'help':
      process.stdout.write(usageText);
      return exitOk;
    case 'version':
      process.stdout.write(versionLine() + '\n');
      return exitOk;
    case 'usage-error':
      printError(command.message);
      return exitUsage;
    case 'run':
      return run(command.configPath, false);
    case 'check-config':
      return run(command.configPath, true);
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unreachable)}`);
    }
  }
}
