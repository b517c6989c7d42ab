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
    files: ["shared/**/*.ts", "agent/**/*.ts", "webhook/**/*.ts", "deploy/**/*.ts"],
    plugins: { vaultlet },
    rules: {
      "vaultlet/boundaries": ["error", { root: ROOT }],
      // small functions with one job (tests' describe blocks are exempt)
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
);
