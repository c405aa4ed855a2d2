export { parseCommand, mergeEquals, UsageError, TASKS, MODES, type ParsedCommand } from './parse-args.js';
export { settingsHelp } from './help.js';
