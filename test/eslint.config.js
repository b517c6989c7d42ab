// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { resolve } from "node:path";
import vaultlet from "./eslint/boundaries.js";

const ROOT = resolve(import.meta.dirname, "..");

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/.tools/**", "**/dist/**", "deploy/**/*.js"],
    basePath: "..",
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  {
    // V8's JSON.parse can misread an escaped key after an earlier key with a
    // backslash (nodejs/node#63785): vaultlet reads JSON with shared/json.ts.
    files: ["agent/**/*.ts", "shared/**/*.ts", "webhook/**/*.ts"],
    ignores: ["shared/json.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "JSON",
          property: "parse",
          message: "use parseJson from shared/json.ts: JSON.parse can misread escaped keys.",
        },
      ],
    },
  },
  {
    // Property tests take fast-check from test/support/properties.ts, which
    // fixes their seeds under `npm test` and scales them in `npm run fuzz`.
    files: ["test/**/*.ts"],
    ignores: ["test/support/properties.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "fast-check",
              allowTypeImports: true,
              message:
                "import fc from test/support/properties.ts: it fixes the seeds of npm test (README, Testing).",
            },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.object.name='fc'][callee.property.name=/^(assert|check|sample)$/] > ObjectExpression > Property[key.name=/^(seed|path)$/]",
          message:
            "no seed or path in a property's parameters: test/support/properties.ts sets them (README, Testing).",
        },
      ],
    },
  },
  {
    files: ["shared/**/*.ts", "agent/**/*.ts", "webhook/**/*.ts", "deploy/**/*.ts"],
    plugins: { vaultlet },
    rules: {
      "vaultlet/boundaries": ["error", { root: ROOT }],
      // small functions with one job (tests' describe blocks are exempt)
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
);
