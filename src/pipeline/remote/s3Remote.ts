import {readFile, rm, writeFile} from "node:fs/promises";
import {join} from "node:path";
import type {S3Client} from "@aws-sdk/client-s3";
import {hashFile} from "../engine/hash.ts";
import type {Entry, Manifest, Store} from "../engine/store.ts";
import {ConfigError} from "../errors.ts";

/** What pulling an entry came to. */
export type Pulled =
  {status: "pulled"; bytes: number} | {status: "absent"} | {status: "refused"; reason: string};

/**
 * A team's shared store on S3 or an S3-compatible server: `s3://bucket/prefix` holds
 * `store/<step>/<key>/<file>` exactly as `.mlbook/store` does, its manifest written last, so an
 * entry is complete when its manifest is there. Keys name content, so an entry is written once and
 * never changes (write-if-absent). Endpoint, region and credentials come from the AWS environment
 * and config chain (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID …), never from mlbook's config.
 */
export class S3Remote {
  readonly bucket: string;
  readonly prefix: string;
  private client?: Promise<{s3: S3Client; sdk: typeof import("@aws-sdk/client-s3")}>;

  constructor(readonly url: string) {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
    if (!m) throw new ConfigError(`invalid remote ${JSON.stringify(url)} (expected s3://bucket/prefix)`);
    this.bucket = m[1];
    this.prefix = (m[2] ?? "").replace(/\/+$/, "");
  }

  private key(step: string, key: string, file: string): string {
    return [this.prefix, "store", step, key, file].filter(Boolean).join("/");
  }

  private connect() {
    return (this.client ??= (async () => {
      // The SDK warns that versions from 2027 on will want Node 22; mlbook runs on Node 20 with
      // the version it pins, so the warning says nothing a user can act on here.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
      const sdk = await import("@aws-sdk/client-s3");
      // An endpoint of one's own (MinIO, a test server) is addressed by path, not by bucket host.
      const custom = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
      // Checksums only where S3 requires them: the SDK's default trailing checksums frame the body
      // (aws-chunked), which S3-compatible servers do not all read. Entries carry their own sha256.
      const s3 = new sdk.S3Client({
        forcePathStyle: custom,
        region: process.env.AWS_REGION ?? "us-east-1",
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        maxAttempts: 2
      });
      return {s3, sdk};
    })());
  }

  /** The remote manifest of an entry, or undefined when the remote has none. */
  async manifest(step: string, key: string): Promise<Manifest | "unreadable" | undefined> {
    const text = await this.read(this.key(step, key, "manifest.json"));
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text.toString("utf8")) as Manifest;
    } catch {
      return "unreadable";
    }
  }

  /**
   * Copies an entry into the local store when the remote has it, every file checked against the
   * remote manifest's checksum and size: one that differs refuses the whole entry (the step then
   * runs, as for a corrupt local entry).
   */
  async pull(store: Store, step: string, key: string): Promise<Pulled> {
    // A remote that cannot be reached throws (the caller decides); a manifest that is not JSON refuses.
    const manifest = await this.manifest(step, key);
    if (!manifest) return {status: "absent"};
    if (manifest === "unreadable") return {status: "refused", reason: "unreadable manifest"};
    if (manifest.step !== step || manifest.key !== key)
      return {status: "refused", reason: `its manifest names ${manifest.step}/${manifest.key}`};
    if (!manifest.files || typeof manifest.files !== "object")
      return {status: "refused", reason: "its manifest lists no files"};
    const tmp = await store.scratch();
    let bytes = 0;
    try {
      for (const [name, want] of Object.entries(manifest.files)) {
        // Entry files are plain names (data.parquet, model.json): nothing that leaves the folder.
        if (!/^[\w-][\w.-]*$/.test(name) || name === "manifest.json")
          return refuse(`a file named ${JSON.stringify(name)}`);
        const data = await this.read(this.key(step, key, name));
        if (!data) return refuse(`${name} is missing`);
        const file = join(tmp, name);
        await writeFile(file, data);
        if (data.length !== want.bytes || (await hashFile(file)) !== want.sha256)
          return refuse(`${name} fails its checksum`);
        bytes += data.length;
      }
      const {files: _files, ...meta} = manifest;
      await store.commit(tmp, meta);
      return {status: "pulled", bytes};
    } catch (error) {
      await rm(tmp, {recursive: true, force: true});
      throw error;
    }
    async function refuse(reason: string): Promise<Pulled> {
      await rm(tmp, {recursive: true, force: true});
      return {status: "refused", reason};
    }
  }

  /**
   * Copies a local entry to the remote unless the remote has it already (its files first, its
   * manifest last); `replace` writes over a remote entry that was refused. Returns the bytes sent.
   */
  async push(entry: Entry, {replace = false} = {}): Promise<number> {
    const {step, key} = entry.manifest;
    if (!replace && (await this.exists(this.key(step, key, "manifest.json")))) return 0;
    const {s3, sdk} = await this.connect();
    let bytes = 0;
    for (const name of Object.keys(entry.manifest.files)) {
      const body = await readFile(join(entry.dir, name));
      await s3.send(
        new sdk.PutObjectCommand({Bucket: this.bucket, Key: this.key(step, key, name), Body: body})
      );
      bytes += body.length;
    }
    const manifest = await readFile(join(entry.dir, "manifest.json"));
    await s3.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(step, key, "manifest.json"),
        Body: manifest
      })
    );
    return bytes + manifest.length;
  }

  /**
   * Stores a run's record (`runs/<id>.json`) unless the remote has it: a record, like an entry,
   * never changes once written. Returns whether it was written.
   */
  async putRecord(id: string, text: string): Promise<boolean> {
    const key = this.recordKey(id);
    if (await this.exists(key)) return false;
    const {s3, sdk} = await this.connect();
    await s3.send(new sdk.PutObjectCommand({Bucket: this.bucket, Key: key, Body: Buffer.from(text)}));
    return true;
  }

  /** A run's record as stored by putRecord, or undefined when the remote has none. */
  async getRecord(id: string): Promise<string | undefined> {
    return (await this.read(this.recordKey(id)))?.toString("utf8");
  }

  private recordKey(id: string): string {
    if (!/^[\w-]+$/.test(id)) throw new ConfigError(`invalid run id ${JSON.stringify(id)}`);
    return [this.prefix, "runs", `${id}.json`].filter(Boolean).join("/");
  }

  private async exists(key: string): Promise<boolean> {
    const {s3, sdk} = await this.connect();
    try {
      await s3.send(new sdk.HeadObjectCommand({Bucket: this.bucket, Key: key}));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw this.failure(error);
    }
  }

  private async read(key: string): Promise<Buffer | undefined> {
    const {s3, sdk} = await this.connect();
    try {
      const got = await s3.send(new sdk.GetObjectCommand({Bucket: this.bucket, Key: key}));
      return Buffer.from(await got.Body!.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.failure(error);
    }
  }

  private failure(error: unknown): Error {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new Error(`remote ${this.url}: ${message}`);
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as {name?: string; $metadata?: {httpStatusCode?: number}};
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
}
