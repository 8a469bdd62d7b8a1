// The thunderdb process: parse the command line, load and validate the
// configuration, start the node, and translate signals into lifecycle steps.
import type { Logger } from 'pino';
import { parseArgs, usageText } from './cli.js';
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

function waitForShutdown(node: RunningNode, initial: ThunderConfig, logger: Logger, notifier: SystemdNotifier): Promise<number> {
  let config = initial;
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      node.stop(`received ${signal}`).then(
        () => resolve(exitOk),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed: the WAL may not be fully synced');
          resolve(exitFailure);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', () => {
      void (async () => {
        await notifier.notify('RELOADING=1');
        config = reloadConfig(config, node, logger);
        await notifier.notify('READY=1');
      })();
    });
  });
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
  logger.info({ version: versionLine(), config: config.sourcePath ?? 'built-in defaults' }, 'starting ThunderDB');
  const notifier = createSystemdNotifier(process.env, logger);
  let node: RunningNode;
  try {
    node = await startNode(config, {
      logger,
      notifier,
      onFatal: (error) => {
        logger.fatal({ err: error }, 'the log stopped on a storage error or broken invariant; exiting');
        process.exit(exitFailure);
      },
    });
  } catch (err) {
    const message = err instanceof StartupError ? err.message : (err as Error).message;
    logger.error({ err: message }, 'start failed');
    printError(message);
    return exitFailure;
  }
  return waitForShutdown(node, config, logger, notifier);
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
