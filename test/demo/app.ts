/**
 * The demo's stand-in for the checkout application: named "checkout" (the
 * process name the example's agent-inject-signal-process annotations give),
 * logs each SIGHUP and which files it re-read, never their contents. Runs
 * until SIGTERM.
 *   node test/demo/app.ts SECRETS_DIR
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The example's agent-inject-signal-process-NAME value. */
const APP_PROCESS_NAME = "checkout";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node test/demo/app.ts SECRETS_DIR\n");
  process.exit(2);
}
process.title = APP_PROCESS_NAME;
let reloads = 0;

function loadConfig(): string {
  const files = ["config.json", "db.env"].map((name) => {
    const bytes = readFileSync(join(dir!, name));
    return `${name} (${bytes.length} bytes, mode ${(statSync(join(dir!, name)).mode & 0o777).toString(8)})`;
  });
  return files.join(", ");
}

process.stdout.write(`checkout app: started as pid ${process.pid}, read ${loadConfig()}\n`);
process.on("SIGHUP", () => {
  reloads++;
  process.stdout.write(`checkout app: received SIGHUP #${reloads}, re-read ${loadConfig()}\n`);
});
process.on("SIGTERM", () => {
  process.stdout.write("checkout app: stopping\n");
  process.exit(0);
});
setInterval(() => {}, 60_000);
