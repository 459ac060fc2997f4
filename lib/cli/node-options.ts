// Flags shared by the commands that read the node's configuration: `--config <file>` plus one flag per
// setting in lib/node/config.ts, so the table there is the only list of settings.
import { Option, type Command } from 'commander';
import { envName, flagName, loadConfig, SETTINGS, type NodeConfig, type SettingName } from '../node/config';

export function addConfigOptions(command: Command, names: SettingName[] = Object.keys(SETTINGS) as SettingName[]): Command {
  command.option('-c, --config <file>', 'JSON config file (flags override environment variables, which override the file)');
  for (const name of names) {
    const setting = SETTINGS[name];
    const shown = 'default' in setting && setting.default !== undefined && !(Array.isArray(setting.default) && setting.default.length === 0) ? `; default ${setting.default}` : '';
    command.addOption(new Option(`--${flagName(name)} <value>`, `${setting.description} (${envName(name)}${shown})`));
  }
  return command;
}

export function configFrom(options: Record<string, unknown>): NodeConfig {
  const flags = Object.fromEntries(Object.keys(SETTINGS).filter((n) => options[n] !== undefined).map((n) => [n, options[n]]));
  return loadConfig({ file: options.config as string | undefined, env: process.env, flags });
}

/** Runs `stop` once on SIGINT or SIGTERM; a second signal exits at once. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    console.error(`${signal}: stopping (draining requests, flushing attestations; again to force)`);
    stop().then(() => process.exit(0), (error: Error) => {
      console.error(`verinfer: stop failed: ${error.message}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
