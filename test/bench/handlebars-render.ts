/**
 * Renders per second of a typical Handlebars template (a KV v2 secret, a
 * database credential, a loop over a map, a function call) with the data in
 * memory: the cost of one render pass, without Vault.
 *
 *   node test/bench/handlebars-render.ts [seconds]
 */
import { createHandlebarsEngine } from "../../agent/template/handlebars/engine.ts";
import { ENV, fullSource } from "../agent/template/handlebars/recorded.ts";

const TEMPLATE = `{{#with (secret "kv/data/app")~}}
APP_USER={{Data.data.user}}
APP_PASSWORD={{Data.data.password}}
{{#each Data.data}}{{@key}}={{this}}
{{/each}}
{{~/with}}
{{#with (secret "database/creds/app")~}}
DATABASE_URL=postgresql://{{Data.username}}:{{Data.password}}@db:5432/app
LEASE={{LeaseID}} TTL={{LeaseDuration}}
{{~/with}}
{{#if (eq (len (secrets "kv/metadata/")) 3)}}three keys{{/if}}
`;

const seconds = Number(process.argv[2] ?? "2");
const engine = createHandlebarsEngine();
const template = engine.compile(TEMPLATE, { name: "bench.tpl" });
const source = fullSource();

const first = template.render(source, ENV);
if (first.missing.length) throw new Error("benchmark data is incomplete");

// warm up the JIT before measuring
for (let i = 0; i < 2000; i++) template.render(source, ENV);

const deadline = performance.now() + seconds * 1000;
let renders = 0;
let bytes = 0;
const start = performance.now();
while (performance.now() < deadline) {
  for (let i = 0; i < 500; i++) bytes += template.render(source, ENV).output.length;
  renders += 500;
}
const elapsed = (performance.now() - start) / 1000;
const rate = Math.round(renders / elapsed);
console.log(
  `handlebars-render: ${rate} renders/s (${(1e6 / rate).toFixed(1)} µs/render, ` +
    `${first.output.length} bytes, ${renders} renders in ${elapsed.toFixed(2)} s, ${bytes} bytes total)`,
);
