/** The agent's output edge: files, commands and signals after a render. */
export { writeFileAtomic, DEFAULT_FILE_MODE, type WriteOptions } from "./write.ts";
export {
  OUTPUT_PATH_ESCAPES,
  OUTPUT_PATH_SYMLINK,
  OUTPUT_PATH_INVALID,
  OUTPUT_ROOT_MISSING,
  OUTPUT_DIR_MISSING,
  OUTPUT_NOT_WRITABLE,
  volumeRootOf,
} from "./paths.ts";
export {
  runCommand,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type CommandOptions,
  type CommandResult,
} from "./command.ts";
export {
  sendSignal,
  parseSignal,
  findProcessesByName,
  SIGNAL_INVALID,
  SIGNAL_NO_TARGET,
  SIGNAL_NO_PROCESS,
  SIGNAL_NOT_PERMITTED,
  SIGNAL_PID_FILE_INVALID,
} from "./signal.ts";
