// @ts-check
import { dirname, relative, resolve } from "node:path";

/**
 * vaultlet's import boundaries, checked on every relative import:
 * shared/ imports neither program; agent/ and webhook/ never import each
 * other; annotations are parsed before mutation, so webhook/annotations/
 * never imports webhook/mutate/. Only deploy/cli/ and the image entries
 * (deploy/images/entry/) see both programs.
 */
/** The first entry whose folder holds the file applies. */
const RULES = [
  { from: "shared/", banned: ["agent/", "webhook/", "deploy/", "test/"] },
  { from: "agent/", banned: ["webhook/", "deploy/", "test/"] },
  { from: "webhook/annotations/", banned: ["agent/", "deploy/", "test/", "webhook/mutate/"] },
  { from: "webhook/", banned: ["agent/", "deploy/", "test/"] },
  { from: "deploy/cli/", banned: ["test/"] },
  { from: "deploy/images/entry/", banned: ["test/"] },
  { from: "deploy/", banned: ["agent/", "webhook/", "test/"] },
];

/** @param {string} root @param {string} file */
function ruleFor(root, file) {
  const rel = relative(root, file).split("\\").join("/");
  return RULES.find((r) => rel.startsWith(r.from));
}

/** @type {import("eslint").Rule.RuleModule} */
const boundaries = {
  meta: {
    type: "problem",
    docs: { description: "keep shared/, agent/ and webhook/ from importing across their lines" },
    schema: [{ type: "object", properties: { root: { type: "string" } }, required: ["root"] }],
    messages: {
      crossing: "{{from}} may not import {{target}} ({{source}}): {{why}}",
    },
  },
  create(context) {
    const root = context.options[0].root;
    const rule = ruleFor(root, context.filename);
    if (!rule) return {};
    /** @param {any} node */
    const check = (node) => {
      const source = node.source;
      if (!source || source.type !== "Literal" || typeof source.value !== "string") return;
      if (!source.value.startsWith(".")) return;
      const target = relative(root, resolve(dirname(context.filename), source.value))
        .split("\\")
        .join("/");
      const banned = rule.banned.find((b) => target.startsWith(b));
      if (!banned) return;
      context.report({
        node: source,
        messageId: "crossing",
        data: {
          from: rule.from,
          target: banned,
          source: source.value,
          why: "move what both sides need into shared/ (or the caller), see test/eslint/boundaries.js",
        },
      });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { boundaries } };
