/**
 * Every function name `bao agent` (OpenBao 2.7.2, whose templates are
 * openbao-template v1.0.1 with Sprig v3.2.3) defines for templates, beyond
 * Go's own builtins, and where vaultlet stands on each: implemented (the
 * engine's function table has it), refused on purpose, or not implemented
 * yet. A test renders every name through the real `bao agent`, so this list
 * cannot drift from the binary; another keeps it in step with the engine's
 * table; deploy/docs/template-functions.md is generated from it.
 */

/** consul-template's own names (openbao-template's funcMap). */
export const CONSUL_TEMPLATE_NAMES: readonly string[] = (
  "add base64Decode base64Encode base64URLDecode base64URLEncode contains containsAll " +
  "containsAny containsNone containsNotAll divide env envOrDefault executeTemplate explodeMap " +
  "file hmacSHA256Hex in indent join loop maximum md5sum mergeMap mergeMapWithOverride minimum " +
  "modulo multiply mustEnv parseBool parseFloat parseInt parseJSON parseUint parseYAML pkiCert " +
  "plugin regexMatch regexReplaceAll replaceAll scratch secret secrets sha256Hex sockaddr " +
  "spew_dump spew_printf spew_sdump spew_sprintf split splitToMap subtract timestamp toJSON " +
  "toJSONPretty toLower toTOML toTitle toUnescapedJSON toUnescapedJSONPretty toUpper toYAML " +
  "trim trimPrefix trimSpace trimSuffix writeToFile"
).split(" ");

/** Sprig v3.2.3's names; templates call them with a `sprig_` prefix. */
export const SPRIG_NAMES: readonly string[] = (
  "abbrev abbrevboth add add1 add1f addf adler32sum ago all any append atoi b32dec b32enc " +
  "b64dec b64enc base bcrypt biggest buildCustomCert camelcase cat ceil chunk clean coalesce " +
  "compact concat contains date dateInZone dateModify date_in_zone date_modify decryptAES " +
  "deepCopy deepEqual default derivePassword dict dig dir div divf duration durationRound " +
  "empty encryptAES env expandenv ext fail first float64 floor fromJson genCA genCAWithKey " +
  "genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey " +
  "get getHostByName has hasKey hasPrefix hasSuffix hello htmlDate htmlDateInZone htpasswd " +
  "indent initial initials int int64 isAbs join kebabcase keys kindIs kindOf last list lower " +
  "max maxf merge mergeOverwrite min minf mod mul mulf mustAppend mustChunk mustCompact " +
  "mustDateModify mustDeepCopy mustFirst mustFromJson mustHas mustInitial mustLast mustMerge " +
  "mustMergeOverwrite mustPrepend mustPush mustRegexFind mustRegexFindAll mustRegexMatch " +
  "mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit mustRest mustReverse " +
  "mustSlice mustToDate mustToJson mustToPrettyJson mustToRawJson mustUniq mustWithout " +
  "must_date_modify nindent nospace now omit osBase osClean osDir osExt osIsAbs pick pluck " +
  "plural prepend push quote randAlpha randAlphaNum randAscii randBytes randInt randNumeric " +
  "regexFind regexFindAll regexMatch regexQuoteMeta regexReplaceAll regexReplaceAllLiteral " +
  "regexSplit repeat replace rest reverse round semver semverCompare seq set sha1sum sha256sum " +
  "shuffle slice snakecase sortAlpha split splitList splitn squote sub subf substr swapcase " +
  "ternary title toDate toDecimal toJson toPrettyJson toRawJson toString toStrings trim " +
  "trimAll trimPrefix trimSuffix trimall trunc tuple typeIs typeIsLike typeOf uniq unixEpoch " +
  "unset until untilStep untitle upper urlJoin urlParse uuidv4 values without wrap wrapWith"
).split(" ");

/** Every name `bao agent` defines for templates besides Go's builtins. */
export const BAO_AGENT_FUNCTIONS: readonly string[] = [
  ...CONSUL_TEMPLATE_NAMES,
  ...SPRIG_NAMES.map((n) => `sprig_${n}`),
];

/**
 * Off by default (deploy/docs/threat-model.md): a template using one fails at
 * start-up unless the agent config allows it by name
 * (`vaultlet { allow_functions }` or `-allow-function`); allowed, it runs as in
 * Vault Agent (outside.ts).
 */
export const REFUSED: Readonly<Record<string, string>> = {
  writeToFile:
    "writes, chowns and chmods any path the agent can reach, outside the template's destination",
  plugin: "runs any executable in the agent's container with the agent's token and secrets",
};

/** Names vaultlet does not implement yet, with the reason (a template using one fails to parse). */
export const NOT_YET: Readonly<Record<string, string>> = {};

const TEXT_LIMIT_NOTE = "fails past 16 MiB of result, where Go would try to allocate it";
const ITEMS_LIMIT_NOTE = "fails past 1,000,000 items, where Go would try to allocate them";

const REGEX_COMPILE_NOTE =
  "a pattern that does not compile fails in both, with vaultlet's wording of the error";

/** Implemented functions whose result can differ from `bao agent`'s, and how. */
export const DIFFERENCES: Readonly<Record<string, string>> = {
  sockaddr:
    'every go-sockaddr function, selector and attribute is implemented; `math "network"` by 0 on an IPv6 ' +
    "address fails (go-sockaddr's result there is not an address); addresses come from `ip -j addr show` and flags " +
    "from /sys/class/net (Go asks netlink), the default route from /proc/net/route (Go runs `ip route`); " +
    "without the `ip` command, addresses come from node:os, which leaves out interfaces that are down or " +
    "have no carrier; `sort` " +
    "orders like Go for up to 12 addresses (past that, addresses that compare equal may come in another " +
    "order); patterns are JavaScript regular expressions, and one that does not compile, or a value of " +
    "the wrong type, fails with vaultlet's wording; a list of addresses is a []interface {} to %T " +
    "(sockaddr.IfAddrs in Go)",
  mergeMap: "returns a new map; consul-template also changes its first argument in place",
  mergeMapWithOverride:
    "returns a new map; consul-template also changes its first argument in place",
  parseInt: "the result is a Go int to vaultlet (int64 in Go): only %T and int parameters show it",
  parseUint:
    "the result is a Go int to vaultlet (uint64 in Go): only %T and int parameters show it",
  loop: "returns a list rather than a channel: ranges and prints its values the same; at most 1,000,000 values (a longer loop fails with an error naming its bounds)",
  sprig_randInt: "random: compared with bao agent by range only",
  sprig_randAlphaNum:
    "random: compared with bao agent by length and character class only; fails past 16 MiB",
  sprig_randAlpha:
    "random: compared with bao agent by length and character class only; fails past 16 MiB",
  sprig_randNumeric:
    "random: compared with bao agent by length and character class only; fails past 16 MiB",
  sprig_randAscii:
    "random: compared with bao agent by length and character class only; fails past 16 MiB",
  sprig_shuffle: "random: compared with bao agent by the characters it keeps only",
  sprig_uuidv4: "random: compared with bao agent by shape only",
  sprig_swapcase: "digraphs such as ǆ after a space: Go title-cases them, vaultlet upper-cases",
  sprig_repeat: TEXT_LIMIT_NOTE,
  sprig_indent: TEXT_LIMIT_NOTE,
  sprig_nindent: TEXT_LIMIT_NOTE,
  sprig_until: `${ITEMS_LIMIT_NOTE}; the Go type is []int, vaultlet's []interface {} (only %T shows it)`,
  sprig_untilStep: `${ITEMS_LIMIT_NOTE}; the Go type is []int, vaultlet's []interface {} (only %T shows it)`,
  sprig_seq: ITEMS_LIMIT_NOTE,
  ...Object.fromEntries(
    "sprig_date sprig_dateInZone sprig_date_in_zone sprig_htmlDate sprig_htmlDateInZone"
      .split(" ")
      .map((n) => [
        n,
        "formats in UTC only: a zone (or a local zone) other than UTC fails; a date that is neither a time.Time nor an integer means now, as in Go",
      ]),
  ),
  sprig_keys: "Go returns keys in random order; vaultlet in key order (sort with sprig_sortAlpha)",
  sprig_values: "Go returns values in random order; vaultlet in key order",
  sprig_trunc: "cutting inside a multi-byte character gives U+FFFD where Go writes the raw bytes",
  sprig_substr: "cutting inside a multi-byte character gives U+FFFD where Go writes the raw bytes",
  sprig_wrapWith:
    "a long word cut inside a multi-byte character gives U+FFFD where Go writes the raw bytes",
  sprig_semver:
    "the Version offers String, Original, Major, Minor, Patch, Prerelease, Metadata, Compare, Equal, LessThan(Equal), GreaterThan(Equal); a method called with wrong arguments fails with vaultlet's wording",
  sprig_urlParse:
    "a bracketed host that is not an IPv6 address fails with `unable to parse IP`, where Go names the exact fault",
  spew_dump:
    'returns "" as Vault Agent does, without writing the dump to the agent\'s output (it may hold secrets)',
  spew_printf:
    'returns "" as Vault Agent does, without writing the text to the agent\'s output (it may hold secrets)',
  spew_sdump:
    "maps in key order (Go's order is random); pointers (a secret, a semver) print without their address; a slice's capacity is its length (one Go's JSON decoder grew may show more)",
  spew_sprintf: "maps in key order (Go's order is random); pointers print without their address",
  sprig_getHostByName:
    "random among the addresses: compared with bao agent on names with one address; a DNS lookup waits at most 10 s",
  sprig_randBytes: "random: compared with bao agent by length and alphabet only",
  sprig_encryptAES: "random IV: compared with bao agent through sprig_decryptAES and by length",
  sprig_genPrivateKey:
    "random: compared with bao agent by PEM type and length; the keys parse (and, in unit tests, sign and verify) with node:crypto",
  ...Object.fromEntries(
    (
      "genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert " +
      "genSignedCertWithKey buildCustomCert"
    )
      .split(" ")
      .map((n) => [
        `sprig_${n}`,
        "random: compared with bao agent by shape; vaultlet's certificates verify with node:crypto (unit tests); a CA that is not a sprig.certificate fails with vaultlet's wording; a malformed certificate's parse error is vaultlet's",
      ]),
  ),
  sprig_now:
    "compared with bao agent by shape; the time is in milliseconds and its monotonic reading (m=+...) counts from the agent's start",
  sprig_ago: "compared with bao agent on times far enough from now that the result is stable",
  sprig_toDate:
    "the local zone is UTC; a zone abbreviation other than UTC reads as offset 0, as Go reads one the local zone does not know",
  sprig_mustToDate:
    "the local zone is UTC; a zone abbreviation other than UTC reads as offset 0, as Go reads one the local zone does not know",
  sprig_bcrypt:
    "random salt: compared with bao agent by shape; unit tests check vaultlet's hash on salts from bao agent's output",
  sprig_htpasswd:
    "random salt: compared with bao agent by shape; unit tests check vaultlet's hash on salts from bao agent's output",
  sprig_upper: "JavaScript's case mapping (e.g. ß becomes SS; Go keeps ß)",
  sprig_title: "JavaScript's case mapping for letters outside ASCII",
  ...Object.fromEntries(
    (
      "regexFind regexFindAll regexReplaceAll regexReplaceAllLiteral regexSplit mustRegexMatch " +
      "mustRegexFind mustRegexFindAll mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit"
    )
      .split(" ")
      .map((n) => [`sprig_${n}`, REGEX_COMPILE_NOTE]),
  ),
};
