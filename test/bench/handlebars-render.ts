/**
 * Renders per second of typical Handlebars templates with the data in memory
 * (the Handlebars twins of test/bench/template-render.ts): every field of a
 * KV v2 secret, a database env file, and a mixed template (KV v1/v2 fields,
 * toJSON, a loop over a map, printf, pkiCert). Renders reuse one compiled
 * template, as the agent does; one line per case.
 *
 *   node test/bench/handlebars-render.ts [seconds-per-case]
 */
import { createHandlebarsEngine } from "../../agent/template/handlebars/engine.ts";
import { ENV, fullSource } from "../agent/template/handlebars/recorded.ts";

const seconds = Number(process.argv[2] ?? "2");

const cases: Array<[string, string]> = [
  [
    "every field of a KV v2 secret",
    '{{#with (secret "kv/data/app")}}{{#each Data}}{{@key}}: {{toJSON this}}\n{{/each}}{{/with}}',
  ],
  [
    "database env file",
    '{{#with (secret "database/creds/app")~}}\nDB_USER={{Data.username}}\nDB_PASS={{Data.password}}\n{{~/with}}\n',
  ],
  [
    "mixed (KV v1/v2, toJSON, each, printf, pkiCert)",
    `{{#with (secret "kv/data/app")~}}
user: {{Data.data.user}}
password: {{base64Encode Data.data.password}}
version: {{Data.metadata.version}}
{{~/with}}
{{#with (secret "kv1/app")}}{{#each Data}}{{printf "%-10s = %v" @key this}}
{{/each}}json: {{toJSON Data}}{{/with}}
{{#with (pkiCert "pki/issue/app" common_name="app.example.test")}}{{Cert}}{{Key}}{{/with}}
`,
  ],
];

const engine = createHandlebarsEngine();
const source = fullSource();

for (const [label, text] of cases) {
  const c0 = performance.now();
  const compiled = engine.compile(text, { name: "bench.hbs" });
  const first = compiled.render(source, ENV);
  const compileUs = (performance.now() - c0) * 1000;
  if (first.missing.length) throw new Error(`benchmark data is incomplete for ${label}`);
  // warm up the JIT before measuring
  for (let i = 0; i < 2000; i++) compiled.render(source, ENV);
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) compiled.render(source, ENV);
    n += 100;
  }
  const perSec = n / ((performance.now() - start) / 1000);
  console.log(
    `handlebars ${label.padEnd(48)} ${Math.round(perSec).toString().padStart(8)} renders/s  (${first.output.length} B output, first compile+render ${compileUs.toFixed(0)} µs)`,
  );
}
