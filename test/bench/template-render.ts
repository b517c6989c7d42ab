/**
 * Renders per second of typical agent templates with the data in memory:
 * the injector's map default on KV v2, a database env file, and a mixed
 * template (KV v2 fields, JSON, range over a map, printf, pkiCert). Compile
 * time is measured separately; renders reuse one compiled template, as the
 * agent does.
 *
 *   node test/bench/template-render.ts [seconds-per-case]
 */
import { goEngine } from "../../agent/template/go/engine.ts";
import { defaultTemplate } from "../../agent/template/go/defaults.ts";
import { recordedSource, testEnv } from "../agent/template/recorded.ts";

const seconds = Number(process.argv[2] ?? "2");

const cases: Array<[string, string]> = [
  ["injector map default (KV v2)", defaultTemplate("map", "secret/data/app")],
  [
    "database env file",
    '{{ with secret "database/creds/app" -}}\nDB_USER={{ .Data.username }}\nDB_PASS={{ .Data.password }}\n{{- end }}\n',
  ],
  [
    "mixed (KV v1/v2, toJSON, range, printf, pkiCert)",
    `{{- with secret "secret/data/app" }}
user: {{ .Data.data.username }}
password: {{ .Data.data.password | base64Encode }}
version: {{ .Data.metadata.version }}
{{- end }}
{{ with secret "kv1/app" }}{{ range $k, $v := .Data }}{{ printf "%-10s = %v" $k $v }}
{{ end }}json: {{ .Data | toJSON }}{{ end }}
{{ with pkiCert "pki/issue/web" "common_name=web.example.com" }}{{ .Cert }}{{ .Key }}{{ end }}`,
  ],
];

const env = testEnv();
const source = recordedSource();
for (const [label, text] of cases) {
  const c0 = performance.now();
  const compiled = goEngine.compile(text, { name: label });
  const compileUs = (performance.now() - c0) * 1000;
  for (let i = 0; i < 2000; i++) compiled.render(source, env);
  let n = 0;
  let bytes = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) bytes = compiled.render(source, env).output.length;
    n += 100;
  }
  const perSec = n / ((performance.now() - start) / 1000);
  console.log(
    `go-template ${label.padEnd(48)} ${Math.round(perSec).toString().padStart(8)} renders/s  (${bytes} B output, first compile ${compileUs.toFixed(0)} µs)`,
  );
}
