/**
 * The demo's printout: numbered steps with elapsed time, indented details.
 * Everything goes through here so the test can read the same lines.
 */
export interface DemoConsole {
  step(title: string): void;
  detail(text: string): void;
  /** the last step's elapsed time and the total, at the end */
  done(): number;
}

export function createConsole(total: number, write = (s: string) => process.stdout.write(s)) {
  const started = Date.now();
  let n = 0;
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  const console: DemoConsole = {
    step(title) {
      n++;
      write(`\n[${n}/${total}] ${title}  (${seconds()} s)\n`);
    },
    detail(text) {
      for (const line of text.split("\n")) write(`      ${line}\n`);
    },
    done() {
      const ms = Date.now() - started;
      write(`\nDemo finished in ${(ms / 1000).toFixed(1)} s.\n`);
      return ms;
    },
  };
  return console;
}
