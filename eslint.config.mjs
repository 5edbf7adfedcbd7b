// Lint rules: typescript-eslint's type-aware recommended set plus Pulumi's rules that
// catch an Output<T> interpolated into a plain template string (it renders as a warning
// text instead of the value).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "bin/**",
      "dist/**",
      ".workspaces/**",
      ".stryker-tmp/**",
      "reports/**",
      "policy/node_modules/**",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-floating-promises": "error",
      // Pulumi outputs and SDK responses are loosely typed at the edges; explicit `any` is
      // still reported, but values flowing out of JSON.parse need not be re-annotated.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    files: ["tests/**/*.ts"],
    rules: {
      // chai's `expect(x).to.be.true` is an expression statement by design.
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
