import {z} from "zod";
import {DataError, TransientError} from "../errors.ts";
import {defineStep} from "../engine/step.ts";
import {dataOf, isRemote} from "./ingest.ts";

export const downloadParams = z
  .object({
    /** An http(s) URL of a data file. */
    url: z.string().url(),
    /** Change to fetch the URL again (the download is otherwise kept once made). */
    refresh: z.union([z.string(), z.number()]).default(0),
    /** Seconds before a request is given up (and retried). */
    timeout: z.number().positive().default(60)
  })
  .strict();

/**
 * Fetches a remote data file once into the store; ingest then reads the stored copy, so a run
 * never depends on the network twice. Network failures and 5xx/429 answers are transient (the
 * runner retries them with backoff); any other bad answer is not.
 */
export const download = defineStep({
  name: "download",
  module: import.meta.url,
  params: downloadParams,
  inputs: {},
  outputs: {file: {kind: "file", artifact: "download", type: "file"}},
  // Downloads meet flaky networks: retried by default.
  retries: {attempts: 4, backoff: 1},
  configure(config) {
    const {source, refresh} = dataOf(config);
    if (!isRemote(source)) return null;
    return {params: {url: source, refresh}, identity: {data: {source, refresh}}, label: source};
  },
  async run(_inputs, params) {
    let response: Response;
    try {
      response = await fetch(params.url, {signal: AbortSignal.timeout(params.timeout * 1000)});
    } catch (error) {
      throw new TransientError(
        `cannot fetch ${params.url}: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : error}`
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new TransientError(`${params.url} answered ${response.status} ${response.statusText}`);
    }
    if (!response.ok) throw new DataError(`${params.url} answered ${response.status} ${response.statusText}`);
    const body = new Uint8Array(await response.arrayBuffer());
    return {file: {data: body, extension: extensionOf(params.url)}};
  }
});

/** The extension a URL's data is stored under, for format detection. */
export function extensionOf(url: string): string {
  return /\.([a-z]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase() ?? "data";
}
