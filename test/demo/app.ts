/**
 * The demo's stand-in for the checkout application: writes its pid next to
 * its secrets (the example's reload command reads it), logs each SIGHUP and
 * which files it re-read, never their contents. Runs until SIGTERM.
 *   node test/demo/app.ts SECRETS_DIR
 */
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node test/demo/app.ts SECRETS_DIR\n");
  process.exit(2);
}
const pidFile = join(dir, "checkout.pid");
writeFileSync(pidFile, `${process.pid}\n`);
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
  rmSync(pidFile, { force: true });
  process.stdout.write("checkout app: stopping\n");
  process.exit(0);
});
setInterval(() => {}, 60_000);
