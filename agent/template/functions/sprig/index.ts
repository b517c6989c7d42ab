/**
 * The part of Sprig v3 that vaultlet implements, under the `sprig_` names
 * consul-template (and so Vault Agent and `bao agent`) gives it, each with
 * the Go parameter types of Sprig's function so the engine converts and
 * checks arguments as Go does. Names Sprig defines that are absent here are
 * listed, with the reason, in ../catalog.ts.
 */
import { define, type ParamType, type TemplateFunction } from "../types.ts";
import * as D from "./defaults.ts";
import * as M from "./dicts.ts";
import * as E from "./encoding.ts";
import * as L from "./lists.ts";
import * as N from "./math.ts";
import * as P from "./paths.ts";
import * as R from "./regex.ts";
import * as S from "./strings.ts";
import * as X from "./random.ts";
import * as W from "./words.ts";
import * as C from "./copy.ts";
import * as T from "./dates.ts";
import * as K from "./cases.ts";
import * as G from "./merge.ts";
import * as F from "./floats.ts";
import { semver } from "./semver.ts";
import { semverCompare } from "./semver-constraints.ts";
import { urlJoin, urlParse } from "./url.ts";
import { getHostByName } from "./hosts.ts";
import * as Y from "./crypto.ts";
import { genPrivateKey } from "./keys.ts";
import * as Z from "./certs.ts";
import { bcrypt, htpasswd } from "./bcrypt.ts";
import { empty, strval } from "./convert.ts";
import { toLower, toUpper, trimPrefix, trimSpace, trimSuffix } from "../strings.ts";

const s = "string" as const;
const a = "any" as const;
const i = "int" as const;
const m = "map" as const;

type Fn = (...args: never[]) => unknown;
/** [params, function, variadic type] */
type Entry = [readonly ParamType[], Fn, ParamType?];

const ENTRIES: Record<string, Entry> = {
  hello: [[], () => "Hello!"],
  // strings
  upper: [[s], toUpper],
  lower: [[s], toLower],
  trim: [[s], trimSpace],
  title: [[s], S.title],
  untitle: [[s], S.untitle],
  substr: [[i, i, s], S.substr],
  trunc: [[i, s], S.trunc],
  repeat: [[i, s], S.repeat],
  trimall: [[s, s], S.trimAll],
  trimAll: [[s, s], S.trimAll],
  trimPrefix: [[s, s], trimPrefix],
  trimSuffix: [[s, s], trimSuffix],
  nospace: [[s], S.nospace],
  initials: [[s], W.initials],
  swapcase: [[s], W.swapcase],
  abbrev: [[i, s], W.abbrev],
  abbrevboth: [[i, i, s], W.abbrevboth],
  camelcase: [[s], K.camelcase],
  snakecase: [[s], K.snakecase],
  kebabcase: [[s], K.kebabcase],
  wrap: [[i, s], K.wrap],
  wrapWith: [[i, s, s], K.wrapWith],
  contains: [[s, s], S.contains],
  hasPrefix: [[s, s], S.hasPrefix],
  hasSuffix: [[s, s], S.hasSuffix],
  quote: [[], S.quote, a],
  squote: [[], S.squote, a],
  cat: [[], S.cat, a],
  indent: [[i, s], S.indent],
  nindent: [[i, s], S.nindent],
  replace: [[s, s, s], S.replace],
  plural: [[s, s, i], S.plural],
  toString: [[a], strval] as Entry,
  split: [[s, s], S.splitMap],
  splitList: [[s, s], S.splitList],
  splitn: [[s, i, s], S.splitn],
  toStrings: [[a], S.toStrings],
  join: [[s, a], S.join],
  sortAlpha: [[a], S.sortAlpha],
  // math
  atoi: [[s], N.atoi],
  int: [[a], N.int],
  int64: [[a], N.int64],
  float64: [[a], N.float64],
  toDecimal: [[a], N.toDecimal],
  add: [[], N.add, a],
  add1: [[a], N.add1],
  sub: [[a, a], N.sub],
  mul: [[a], N.mul, a],
  div: [[a, a], N.div],
  mod: [[a, a], N.mod],
  max: [[a], N.max, a],
  biggest: [[a], N.max, a],
  min: [[a], N.min, a],
  floor: [[a], N.floor],
  ceil: [[a], N.ceil],
  add1f: [[a], F.add1f],
  addf: [[], F.addf, a],
  subf: [[a], F.subf, a],
  mulf: [[a], F.mulf, a],
  divf: [[a], F.divf, a],
  maxf: [[a], F.maxf, a],
  minf: [[a], F.minf, a],
  round: [[a, i], F.round, "float"],
  until: [[i], L.until],
  untilStep: [[i, i, i], L.untilStep],
  seq: [[], L.seq, i],
  // defaults, flow control, JSON, reflection
  default: [[a], D.dfault, a],
  empty: [[a], empty],
  coalesce: [[], D.coalesce, a],
  all: [[], D.all, a],
  any: [[], D.any, a],
  ternary: [[a, a, "bool"], D.ternary],
  fail: [[s], D.fail],
  toJson: [[a], D.toJson],
  toPrettyJson: [[a], D.toPrettyJson],
  toRawJson: [[a], D.toRawJson],
  mustToJson: [[a], D.mustToJson],
  mustToPrettyJson: [[a], D.mustToPrettyJson],
  mustToRawJson: [[a], D.toRawJson],
  fromJson: [[s], D.fromJson],
  mustFromJson: [[s], D.mustFromJson],
  typeOf: [[a], D.typeOf],
  typeIs: [[s, a], D.typeIs],
  typeIsLike: [[s, a], D.typeIsLike],
  kindOf: [[a], D.kindOf],
  kindIs: [[s, a], D.kindIs],
  deepEqual: [[a, a], D.deepEqual],
  // lists
  list: [[], L.list, a],
  tuple: [[], L.list, a],
  append: [[a, a], L.push],
  push: [[a, a], L.push],
  mustAppend: [[a, a], L.push],
  mustPush: [[a, a], L.push],
  prepend: [[a, a], L.prepend],
  mustPrepend: [[a, a], L.prepend],
  first: [[a], L.first],
  mustFirst: [[a], L.first],
  last: [[a], L.last],
  mustLast: [[a], L.last],
  rest: [[a], L.rest],
  mustRest: [[a], L.rest],
  initial: [[a], L.initial],
  mustInitial: [[a], L.initial],
  reverse: [[a], L.reverse],
  mustReverse: [[a], L.reverse],
  uniq: [[a], L.uniq],
  mustUniq: [[a], L.uniq],
  without: [[a], L.without, a],
  mustWithout: [[a], L.without, a],
  has: [[a, a], L.has],
  mustHas: [[a, a], L.has],
  compact: [[a], L.compact],
  mustCompact: [[a], L.compact],
  slice: [[a], L.slice, a],
  mustSlice: [[a], L.slice, a],
  concat: [[], L.concat, a],
  chunk: [[i, a], L.chunk],
  mustChunk: [[i, a], L.chunk],
  // dicts
  dict: [[], M.dict, a],
  get: [[m, s], M.get],
  set: [[m, s, a], M.set],
  unset: [[m, s], M.unset],
  hasKey: [[m, s], M.hasKey],
  pluck: [[s], M.pluck, m],
  keys: [[], M.keys, m],
  values: [[m], M.values],
  pick: [[m], M.pick, s],
  omit: [[m], M.omit, s],
  dig: [[], M.dig, a],
  merge: [[m], G.merge, m],
  mustMerge: [[m], G.merge, m],
  mergeOverwrite: [[m], G.mergeOverwrite, m],
  mustMergeOverwrite: [[m], G.mergeOverwrite, m],
  deepCopy: [[a], C.deepCopy],
  mustDeepCopy: [[a], C.deepCopy],
  // encoding and checksums
  b64enc: [[s], E.b64enc],
  b64dec: [[s], E.b64dec],
  b32enc: [[s], E.b32enc],
  b32dec: [[s], E.b32dec],
  sha1sum: [[s], E.sha1sum],
  sha256sum: [[s], E.sha256sum],
  adler32sum: [[s], E.adler32sum],
  uuidv4: [[], E.uuidv4],
  // dates (Unix seconds, formatted in UTC) and durations
  date: [[s, a], T.date],
  dateInZone: [[s, a, s], T.dateInZone],
  date_in_zone: [[s, a, s], T.dateInZone],
  htmlDate: [[a], T.htmlDate],
  htmlDateInZone: [[a, s], T.htmlDateInZone],
  duration: [[a], T.duration],
  now: [[], T.now],
  ago: [[a], T.ago],
  unixEpoch: [["time"], T.unixEpoch],
  dateModify: [[s, "time"], T.dateModify],
  date_modify: [[s, "time"], T.dateModify],
  mustDateModify: [[s, "time"], T.mustDateModify],
  must_date_modify: [[s, "time"], T.mustDateModify],
  toDate: [[s, s], T.toDate],
  mustToDate: [[s, s], T.mustToDate],
  durationRound: [[a], T.durationRound],
  // URLs
  urlParse: [[s], urlParse],
  urlJoin: [[m], urlJoin],
  getHostByName: [[s], getHostByName],
  // semantic versions
  semver: [[s], semver],
  semverCompare: [[s, s], semverCompare],
  // crypto
  randBytes: [[i], Y.randBytes],
  bcrypt: [[s], bcrypt],
  htpasswd: [[s, s], htpasswd],
  derivePassword: [["uint32", s, s, s, s], Y.derivePassword],
  encryptAES: [[s, s], Y.encryptAES],
  decryptAES: [[s, s], Y.decryptAES],
  genPrivateKey: [[s], genPrivateKey],
  genCA: [[s, i], Z.genCA],
  genCAWithKey: [[s, i, s], Z.genCAWithKey],
  genSelfSignedCert: [[s, "[]any", "[]any", i], Z.genSelfSignedCert],
  genSelfSignedCertWithKey: [[s, "[]any", "[]any", i, s], Z.genSelfSignedCertWithKey],
  genSignedCert: [[s, "[]any", "[]any", i, a], Z.genSignedCert],
  genSignedCertWithKey: [[s, "[]any", "[]any", i, a, s], Z.genSignedCertWithKey],
  buildCustomCert: [[s, s], Z.buildCustomCert],
  // random values
  randAlphaNum: [[i], X.randAlphaNum],
  randAlpha: [[i], X.randAlpha],
  randNumeric: [[i], X.randNumeric],
  randAscii: [[i], X.randAscii],
  randInt: [[i, i], X.randInt],
  shuffle: [[s], X.shuffle],
  // paths (filepath is path on Linux)
  base: [[s], P.base],
  dir: [[s], P.dir],
  clean: [[s], P.clean],
  ext: [[s], P.ext],
  isAbs: [[s], P.isAbs],
  osBase: [[s], P.base],
  osDir: [[s], P.dir],
  osClean: [[s], P.clean],
  osExt: [[s], P.ext],
  osIsAbs: [[s], P.isAbs],
  // regular expressions
  regexMatch: [[s, s], R.regexMatch],
  mustRegexMatch: [[s, s], R.mustRegexMatch],
  regexFind: [[s, s], R.regexFind],
  mustRegexFind: [[s, s], R.regexFind],
  regexFindAll: [[s, s, i], R.regexFindAll],
  mustRegexFindAll: [[s, s, i], R.regexFindAll],
  regexReplaceAll: [[s, s, s], R.sprigRegexReplaceAll],
  mustRegexReplaceAll: [[s, s, s], R.sprigRegexReplaceAll],
  regexReplaceAllLiteral: [[s, s, s], R.regexReplaceAllLiteral],
  mustRegexReplaceAllLiteral: [[s, s, s], R.regexReplaceAllLiteral],
  regexSplit: [[s, s, i], R.regexSplit],
  mustRegexSplit: [[s, s, i], R.regexSplit],
  regexQuoteMeta: [[s], R.regexQuoteMeta],
};

/** Sprig's names as templates call them: `sprig_<name>`. */
export const SPRIG_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = Object.fromEntries(
  Object.entries(ENTRIES).map(([name, [params, fn, variadic]]) => [
    `sprig_${name}`,
    define(params, fn, variadic),
  ]),
);
