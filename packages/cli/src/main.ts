#!/usr/bin/env node
import { YoloTsError, fileSystemError } from '@yolo-ts/core-data';
import { TrainingInterrupted, exportModel, predict, train, val } from '@yolo-ts/trainer';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { datasetsCommand } from './datasets-command.js';
import { settingsHelp } from './help.js';
import { UsageError, parseCommand, settingsFile } from './parse-args.js';
import { specialCommand } from './special-commands.js';

async function runTaskCommand(words: string[]): Promise<void> {
  if (await specialCommand(words)) return;
  const parsed = parseCommand(words);
  const { cfg, ...given } = parsed.settings;
  const settings: Record<string, unknown> = typeof cfg === 'string' ? { ...(await settingsFile(cfg)), ...given } : given;
  for (const w of parsed.warnings) console.warn(`WARNING ${w}`);
  if (!parsed.task) console.warn("WARNING 'task' argument is missing. Using 'task=classify', the task yolo-ts does.");
  if (!parsed.mode) {
    console.warn("WARNING 'mode' argument is missing. Valid modes are train, val, predict, export. Using default 'mode=train'.");
  }
  const mode = parsed.mode ?? 'train';
  if (mode === 'train') await train(settings);
  else if (mode === 'val') await val(settings);
  // Ultralytics' CLI saves predictions by default (its API does not).
  else if (mode === 'predict') await predict({ save: true, ...settings });
  else await exportModel(settings);
}

/** A stack only when asked: YOLO_TS_DEBUG=1, or verbose=True written on the command line (its default is not asking). */
const wantsStack = () => Boolean(process.env.YOLO_TS_DEBUG) || process.argv.some((a) => /^verbose=(true|1)$/i.test(a));

/**
 * Prints one line for errors users can act on (YoloTsError, and OS errors such as EACCES or ENOSPC, said as what to
 * do) and exits 2 for bad input, 1 for a run that could not be done here; a stack only when asked.
 */
function fail(raw: unknown): never {
  const error = fileSystemError(raw);
  const debug = wantsStack();
  const stack = `\n${(raw as Error).stack ?? ''}`;
  if (error instanceof TrainingInterrupted) {
    // Saved and resumable: the shell's convention for a run ended by a signal (130 for SIGINT, 143 for SIGTERM).
    console.error(`yolo-ts: ${error.message}`);
    process.exit(error.signal === 'SIGTERM' ? 143 : 130);
  }
  if (error instanceof YoloTsError) {
    console.error(`yolo-ts: ${error.message}${debug ? ` [${error.code}]${stack}` : ''}`);
    process.exit(error.kind === 'input' ? 2 : 1);
  }
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  console.error(`yolo-ts: internal error: ${message}${debug ? stack : ' (set YOLO_TS_DEBUG=1 for details)'}`);
  process.exit(1);
}

await yargs(hideBin(process.argv))
  .scriptName('yolo-ts')
  .usage(settingsHelp())
  .command(
    'datasets [action] [name]',
    'list the datasets yolo-ts knows; datasets prepare NAME downloads and converts one; datasets path NAME prints its folder',
    (y) => y.positional('action', { type: 'string' }).positional('name', { type: 'string' }),
    (argv) => datasetsCommand(argv.action, argv.name),
  )
  .command('* [words..]', false, (y) => y.positional('words', { type: 'string', array: true }), async (argv) => {
    const words = (argv.words as string[] | undefined) ?? [];
    if (words.length === 0) {
      console.log(settingsHelp());
      return;
    }
    await runTaskCommand(words.map(String));
  })
  .parserConfiguration({ 'unknown-options-as-args': true })
  .help()
  .alias('h', 'help')
  .version()
  .wrap(null)
  .fail((msg, err) => fail(err ?? new UsageError(msg)))
  .parseAsync()
  .catch(fail);
