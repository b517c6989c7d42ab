/**
 * Values that necessarily differ between two agents rendering the same
 * template (each fetches its own database user and certificate) are replaced
 * by placeholders that keep their shape, so the rest of the output can still
 * be compared byte for byte. Applied only to corpus entries marked dynamic.
 */

interface Rule {
  what: string;
  pattern: RegExp;
  replace: string | ((...groups: string[]) => string);
}

const RULES: readonly Rule[] = [
  {
    what: "PEM block (certificate, private key, CA)",
    pattern: /-----BEGIN ([A-Z ]+)-----\n[A-Za-z0-9+/=\n]+?-----END \1-----/g,
    replace: (_m, label) => `<PEM ${label}>`,
  },
  {
    what: "lease id",
    pattern: /\b([a-z0-9_-]+\/creds\/[a-z0-9_-]+\/)[A-Za-z0-9]{24}\b/g,
    replace: "$1<LEASE>",
  },
  {
    // v-<token display name>-<role>-<20 random>-<unix time>
    what: "database user name",
    pattern: /\b(v-[a-z0-9]+-[a-z0-9-]+?-)[A-Za-z0-9]{20}-\d{10}\b/g,
    replace: "$1<RANDOM>-<UNIX_TIME>",
  },
  {
    what: "certificate serial number",
    pattern: /\b(?:[0-9a-f]{2}:){15,19}[0-9a-f]{2}\b/g,
    replace: "<SERIAL>",
  },
  {
    what: "generated password (OpenBao's default policy: 20 of [A-Za-z0-9-])",
    pattern:
      /(?<![A-Za-z0-9-])(?=[A-Za-z0-9-]*[0-9])(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{20}(?![A-Za-z0-9-])/g,
    replace: "<PASSWORD>",
  },
  {
    what: "unix time",
    pattern: /\b1\d{9}\b/g,
    replace: "<UNIX_TIME>",
  },
];

export function normaliseDynamic(text: string): string {
  let out = text;
  for (const rule of RULES) {
    out = out.replace(
      rule.pattern,
      rule.replace as (substring: string, ...args: string[]) => string,
    );
  }
  return out;
}
