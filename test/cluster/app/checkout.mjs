/* global process, setInterval */
// The test app in place of the checkout app of deploy/examples/kubernetes/checkout.yaml,
// run in real pods by test/cluster/checkout.test.ts. It reads its secret files
// at start and on every SIGHUP (as an app that reloads its configuration
// does) and logs one JSON line each time: the files' modes, owners, sizes and
// short fingerprints, never their contents.
import fs from "node:fs";
import crypto from "node:crypto";

// ps and the agent's signal-process lookup see it as "checkout"
process.title = "checkout";
// the files named by --config and --db-env; with --once, report and exit
// (0 when every file was read), as a batch job does
const argv = process.argv;
const files = ["--config", "--db-env"]
  .filter((flag) => argv.includes(flag))
  .map((flag) => argv[argv.indexOf(flag) + 1]);
let hups = 0;

function look(file) {
  try {
    const st = fs.statSync(file);
    const data = fs.readFileSync(file);
    const sha = crypto.createHash("sha256").update(data).digest("hex").slice(0, 16);
    const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
    return { file, mode, uid: st.uid, gid: st.gid, bytes: data.length, sha };
  } catch (err) {
    return { file, error: err.code };
  }
}

function report(event) {
  const line = {
    event,
    hups,
    uid: process.getuid(),
    gid: process.getgid(),
    files: files.map(look),
  };
  process.stdout.write(JSON.stringify(line) + "\n");
}

process.on("SIGHUP", () => {
  hups += 1;
  report("SIGHUP");
});
process.on("SIGTERM", () => process.exit(0));
report("start");
if (argv.includes("--once")) {
  process.exit(files.map(look).some((f) => f.error) ? 1 : 0);
}
setInterval(() => {}, 1 << 30);
