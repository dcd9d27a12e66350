import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      ".mlbook/**",
      "docs/.observablehq/**",
      "test-results/**",
      "scratch/**",
      "lib/**",
      "lib.*/**",
      "**/.mlbook/**"
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {...globals.node}},
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", {argsIgnorePattern: "^_", varsIgnorePattern: "^_"}],
      "@typescript-eslint/no-explicit-any": "error"
    }
  },
  {
    // Page code runs in the browser.
    files: ["docs/**/*.js"],
    languageOptions: {globals: {...globals.browser}}
  }
);
