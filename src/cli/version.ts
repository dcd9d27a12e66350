import {readFileSync} from "node:fs";

/** mlbook's version, from its package.json. */
export const mlbookVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {version: string}
).version;
