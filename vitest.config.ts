import {fileURLToPath} from "node:url";
import {defineConfig} from "vitest/config";

export default defineConfig({
  // The workspace's own modules (steps/, models/) import "mlbook": in this repo, its sources.
  resolve: {alias: {mlbook: fileURLToPath(new URL("./src/index.ts", import.meta.url))}},
  test: {
    include: ["test/**/*.test.ts", "steps/**/*.test.ts", "models/**/*.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {TZ: "UTC"},
    pool: "forks",
    // Two test files at once (vitest's default leaves one core free: one file at a time on these
    // 2-core machines). Most files spend their time waiting on the processes they start.
    poolOptions: {forks: {maxForks: 2, minForks: 1}}
  }
});
