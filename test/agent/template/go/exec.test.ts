import { test } from "node:test";
import assert from "node:assert/strict";
import { render, renderError } from "./render-helpers.ts";

const KV1 = 'secret "kv1/app"';
const KV2 = 'secret "secret/data/app"';

const cases: Array<[string, string, string]> = [
  ["field chain on KV v2", `{{ with ${KV2} }}{{ .Data.data.password }}{{ end }}`, "s3cr3t!"],
  [
    "json.Number prints as written",
    `{{ with ${KV1} }}{{ .Data.port }} {{ .Data.big }} {{ .Data.ratio }}{{ end }}`,
    "5432 1e3 0.75",
  ],
  [
    "maps print sorted",
    `{{ with ${KV2} }}{{ .Data.metadata }}{{ end }}`,
    "map[created_time:2024-05-01T10:00:00.123456789Z custom_metadata:<nil> deletion_time: destroyed:false version:3]",
  ],
  ["slices print with spaces", `{{ with ${KV1} }}{{ .Data.tags }}{{ end }}`, "[blue green]"],
  [
    "missing key prints <no value>",
    `{{ with ${KV1} }}{{ .Data.nope }}|{{ .Data.nothing }}{{ end }}`,
    "<no value>|<no value>",
  ],
  [
    "a secret prints as Go prints *Secret through an action",
    `{{ with secret "database/creds/app" }}{{ . }}{{ end }}`,
    "{5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a database/creds/app/Xk2vQ9 3600 true map[password:A1a-5nF0q8 username:v-jwt-app-Tq3p-1714557600] [] <nil> <nil>}",
  ],
  [
    "print shows the pointer form",
    `{{ print (secret "database/creds/app").LeaseDuration (secret "database/creds/app").Renewable }}`,
    "3600 true",
  ],
  [
    "envelope fields",
    `{{ with secret "database/creds/app" }}{{ .LeaseID }} {{ .LeaseDuration }} {{ .Renewable }} {{ .Warnings }} {{ .RequestID }}{{ end }}`,
    "database/creds/app/Xk2vQ9 3600 true [] 5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
  ],
  ["root and dot", "{{ . }}{{ $ }}", "<no value><no value>"],
  [
    "literals",
    '{{ 1 }} {{ 1.5 }} {{ 1e6 }} {{ 1.0 }} {{ true }} {{ "s" }} {{ -7 }}',
    "1 1.5 1e+06 1 true s -7",
  ],
  ["variables declare and assign", "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2"],
  ["declaration prints nothing", "{{ $x := 5 }}", ""],
  ["if/else if/else", '{{ if 0 }}a{{ else if "" }}b{{ else if 1 }}c{{ else }}d{{ end }}', "c"],
  [
    "truthiness",
    '{{ if "" }}1{{ end }}{{ if 0 }}2{{ end }}{{ if 0.0 }}3{{ end }}{{ if false }}4{{ end }}{{ if "0" }}6{{ end }}{{ if .Missing }}7{{ end }}',
    "6",
  ],
  [
    "empty map and slice are false",
    `{{ if split "," "" }}x{{ else }}empty{{ end }} {{ if parseJSON "{}" }}x{{ else }}empty{{ end }}`,
    "empty empty",
  ],
  [
    "json.Number zero is a non-empty string",
    `{{ if (parseJSON "{}") }}{{ end }}{{ with ${KV1} }}{{ if .Data.port }}yes{{ end }}{{ end }}`,
    "yes",
  ],
  ["with sets dot, else with", '{{ with "" }}a{{ else with "b" }}{{ . }}{{ end }}', "b"],
  [
    "with else uses outer dot",
    '{{ with $x := "v" }}{{ $x }}{{ end }}{{ with 0 }}{{ else }}{{ . }}{{ end }}',
    "v<no value>",
  ],
  ["range over slice", '{{ range split "," "a,b" }}[{{ . }}]{{ end }}', "[a][b]"],
  [
    "range with index and element",
    '{{ range $i, $e := split "," "a,b" }}{{ $i }}={{ $e }};{{ end }}',
    "0=a;1=b;",
  ],
  [
    "range with one variable gets the element",
    '{{ range $e := split "," "a,b" }}{{ $e }}{{ end }}',
    "ab",
  ],
  [
    "range over a map in byte order",
    `{{ range $k, $v := parseJSON "{\\"b\\":1,\\"a\\":2,\\"B\\":3,\\"é\\":4}" }}{{ $k }}{{ $v }} {{ end }}`,
    "B3 a2 b1 é4 ",
  ],
  ["range over an integer", "{{ range $i := 3 }}{{ $i }}{{ end }}", "012"],
  ["range else on empty", '{{ range split "," "" }}x{{ else }}none{{ end }}', "none"],
  ["range over nothing", "{{ range .Missing }}x{{ else }}none{{ end }}", "none"],
  [
    "break and continue",
    "{{ range $i := 6 }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 4 }}{{ break }}{{ end }}{{ $i }}{{ end }}",
    "023",
  ],
  [
    "range assigns to outer variables",
    '{{ $k := "" }}{{ range $k = split "," "x,y" }}{{ end }}{{ $k }}',
    "y",
  ],
  [
    "define and template with data",
    '{{ define "row" }}<{{ . }}>{{ end }}{{ template "row" "a" }}{{ template "row" }}',
    "<a><<no value>>",
  ],
  [
    "templates do not see callers' variables but have $",
    '{{ define "r" }}{{ $ }}{{ end }}{{ $x := 1 }}{{ template "r" 5 }}',
    "5",
  ],
  [
    "block defines and runs",
    '{{ block "b" "x" }}[{{ . }}]{{ end }}{{ template "b" "y" }}',
    "[x][y]",
  ],
  [
    "redefinition: last wins",
    '{{ define "a" }}1{{ end }}{{ define "a" }}2{{ end }}{{ template "a" }}',
    "2",
  ],
  [
    "recursion through templates",
    '{{ define "c" }}{{ if lt . 3 }}{{ . }}{{ template "c" (add 1 .) }}{{ end }}{{ end }}{{ template "c" 0 }}',
    "012",
  ],
  ["parenthesised pipeline with fields", `{{ (${KV2}).Data.data.username }}`, "app"],
  ["pipelines pass the value last", '{{ "abc" | printf "%s-%s" "x" }}', "x-abc"],
  [
    "eq with several arguments",
    '{{ eq 3 1 2 3 }} {{ eq "a" "b" }} {{ ne 1 2 }}',
    "true false true",
  ],
  [
    "ordering",
    '{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}',
    "true true true false",
  ],
  [
    "eq with nil is false, not an error",
    '{{ eq .Missing "x" }} {{ eq .Missing nil }}',
    "false true",
  ],
  [
    "json.Number compares with strings",
    `{{ with ${KV1} }}{{ eq .Data.port "5432" }}{{ end }}`,
    "true",
  ],
  [
    "and/or return the deciding value",
    '{{ and 1 "" 2 }}|{{ and 1 2 }}|{{ or 0 "" }}|{{ or 0 "x" 1 }}',
    "|2||x",
  ],
  ["and/or short-circuit", "{{ or 1 (index .Missing 1) }} {{ and 0 (index .Missing 1) }}", "1 0"],
  ["not", "{{ not 0 }} {{ not 1 }}", "true false"],
  [
    "index into maps, slices and strings",
    `{{ with ${KV1} }}{{ index .Data "tags" 1 }} {{ index .Data "nope" }} {{ index "abc" 1 }}{{ end }}`,
    "green <no value> 98",
  ],
  ["index with a key holding a dot", '{{ index (parseJSON "{\\"a.b\\":1}") "a.b" }}', "1"],
  [
    "slice",
    '{{ slice "abcdef" 1 3 }} {{ slice "abc" 1 }} {{ slice (split "," "a,b,c") 1 }}',
    "bc bc [b c]",
  ],
  [
    "len counts bytes of strings",
    '{{ len "héllo" }} {{ len (split "," "a,b") }} {{ len (parseJSON "{\\"a\\":1}") }}',
    "6 2 1",
  ],
  [
    "print and println",
    '{{ print 1 2 "a" "b" 3 }}|{{ println "a" 1 }}|{{ print .Missing }}',
    "1 2ab3|a 1\n|<nil>",
  ],
  [
    "html, js, urlquery",
    `{{ html "<a href='x'>&</a>" }} {{ js "a'b\\"<>=" }} {{ urlquery "a b&c/é" }}`,
    "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt; a\\'b\\\"\\u003C\\u003E\\u003D a+b%26c%2F%C3%A9",
  ],
  ["html of nothing", "{{ html .Missing }}", "&lt;no value&gt;"],
  [
    "floats print as Go %v",
    '{{ parseFloat "1000000" }} {{ parseFloat "123456.5" }} {{ parseFloat "0.0001" }} {{ parseFloat "0.00001" }} {{ parseFloat "1e21" }}',
    "1e+06 123456.5 0.0001 1e-05 1e+21",
  ],
  ["character constant and hex", "{{ 'x' }} {{ 0x10 }}", "120 16"],
  [
    "missing key under a missing key is a nil-pointer error only with chained access",
    `{{ with ${KV1} }}{{ index .Data "nothing" }}{{ end }}`,
    "<no value>",
  ],
];

for (const [name, text, want] of cases) {
  test(name, () => assert.equal(render(text), want));
}

const errors: Array<[string, string, Partial<{ errorOnMissingKey: boolean }>, RegExp]> = [
  [
    "missing key with errorOnMissingKey",
    `{{ with ${KV1} }}{{ .Data.nope }}{{ end }}`,
    { errorOnMissingKey: true },
    /^template: t:1:\d+: executing "t" at <\.Data\.nope>: map has no entry for key "nope"$/,
  ],
  [
    "nil data with errorOnMissingKey",
    "{{ .Foo }}",
    { errorOnMissingKey: true },
    /nil data; no entry for key "Foo"/,
  ],
  [
    "field of a missing key",
    `{{ with ${KV1} }}{{ .Data.nope.deeper }}{{ end }}`,
    {},
    /nil pointer evaluating interface \{\}\.deeper/,
  ],
  [
    "field of a string",
    `{{ with ${KV1} }}{{ .Data.username.x }}{{ end }}`,
    {},
    /can't evaluate field x in type string/,
  ],
  [
    "unknown field of a secret",
    `{{ with ${KV1} }}{{ .Nope }}{{ end }}`,
    {},
    /can't evaluate field Nope in type \*dependency\.Secret/,
  ],
  [
    "json.Number is not a string argument",
    `{{ with ${KV1} }}{{ .Data.port | toUpper }}{{ end }}`,
    {},
    /wrong type for value; expected string; got json\.Number/,
  ],
  [
    "missing value is not a string argument",
    "{{ toUpper .Missing }}",
    {},
    /invalid value; expected string/,
  ],
  [
    "nil interface is not a string argument",
    `{{ with ${KV1} }}{{ toUpper .Data.nothing }}{{ end }}`,
    {},
    /wrong type for value; expected string; got interface \{\}/,
  ],
  ["wrong literal type", "{{ toUpper 3 }}", {}, /expected string; found 3/],
  [
    "int and json.Number do not compare",
    `{{ with ${KV1} }}{{ eq .Data.port 5432 }}{{ end }}`,
    {},
    /error calling eq: incompatible types for comparison: json\.Number and int/,
  ],
  ["lt on nil", "{{ lt .Missing 1 }}", {}, /error calling lt: invalid type for comparison/],
  [
    "index out of range",
    '{{ index (split "," "a") 3 }}',
    {},
    /error calling index: index out of range: 3/,
  ],
  ["index of nil", "{{ index .Missing 1 }}", {}, /error calling index: index of untyped nil/],
  ["len of a number", "{{ len 3 }}", {}, /error calling len: len of type int/],
  [
    "wrong number of args",
    '{{ toUpper "a" "b" }}',
    {},
    /wrong number of args for toUpper: want 1 got 2/,
  ],
  ["argument to a non-function", "{{ 1 2 }}", {}, /can't give argument to non-function 1/],
  ["nil is not a command", "{{ nil }}", {}, /nil is not a command/],
  ["nil is not a command in if", "{{ if nil }}{{ end }}", {}, /nil is not a command/],
  ["undefined template", '{{ template "nope" }}', {}, /template "nope" not defined/],
  [
    "range over a string",
    '{{ range "abc" }}{{ end }}',
    {},
    /range can't iterate over value of type string/,
  ],
  [
    "function error",
    '{{ base64Decode "%%%" }}',
    {},
    /error calling base64Decode: base64Decode: illegal base64 data at input byte 0/,
  ],
];

for (const [name, text, opts, re] of errors) {
  test(`error: ${name}`, () => {
    const e = renderError(text, opts);
    assert.equal(e.code, "TEMPLATE_EXEC");
    assert.match(e.message, re);
    assert.doesNotMatch(e.message, /\n/);
  });
}

test("error context shows the whole command and names the executing template", () => {
  const e = renderError(
    '{{ define "inner" }}\n  {{ index (split "," "a") 9 9 9 9 9 }}{{ end }}{{ template "inner" }}',
  );
  assert.equal(
    e.message,
    'template: t:2:5: executing "inner" at <index (split "," "a") 9 9 9 9 9>: error calling index: index out of range: 9',
  );
});

test("error messages never contain secret values", () => {
  const e = renderError(`{{ with ${KV1} }}{{ index .Data.password 99 }}{{ end }}`);
  assert.doesNotMatch(e.message, /hunter2/);
  const e2 = renderError(`{{ with ${KV1} }}{{ parseInt .Data.password }}{{ end }}`);
  assert.doesNotMatch(e2.message, /hunter2/);
  assert.match(e2.message, /error calling parseInt: parseInt: strconv\.ParseInt: invalid syntax/);
  const e3 = renderError(`{{ with ${KV1} }}{{ template .Data.password }}{{ end }}`);
  assert.doesNotMatch(e3.message, /hunter2/);
});

test("nil Auth and WrapInfo print <nil> like Go's nil pointers", () => {
  assert.equal(
    render(
      '{{ with secret "secret/data/app" }}{{ .Auth }}|{{ .WrapInfo }}|{{ if .Auth }}x{{ end }}|{{ .Auth | toJSON }}|{{ eq .Auth nil }}{{ end }}',
    ),
    "<nil>|<nil>||null|true",
  );
  assert.match(
    renderError('{{ with secret "secret/data/app" }}{{ .Auth.ClientToken }}{{ end }}').message,
    /nil pointer evaluating \*dependency\.SecretAuth\.ClientToken/,
  );
});

test("executeTemplate renders a named template to a string", () => {
  assert.equal(
    render(
      '{{ define "greet" }}hi {{ . }}{{ end }}{{ executeTemplate "greet" "bob" | toUpper }}|{{ executeTemplate "greet" }}',
    ),
    "HI BOB|hi <no value>",
  );
  assert.match(
    renderError('{{ executeTemplate "nope" }}').message,
    /no template "nope" associated with template "t"/,
  );
  assert.match(
    renderError('{{ define "a" }}{{ end }}{{ executeTemplate "a" 1 2 }}').message,
    /expected 1 or 2, but got 3/,
  );
});

test("js escapes characters Go does not consider printable", () => {
  assert.equal(render('{{ js "é\\u2028\\u007f" }}'), "é\\u2028\\u007F");
});
