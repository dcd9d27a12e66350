import {spawn, type ChildProcess} from "node:child_process";
import {mkdtempSync} from "node:fs";
import {createServer} from "node:net";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {S3Client} from "@aws-sdk/client-s3";
import S3rver from "s3rver";

/** A real S3-compatible server (s3rver) on loopback with one bucket, and the AWS environment for it. */
export async function startS3(bucket = "team"): Promise<{
  env: Record<string, string>;
  s3: S3Client;
  close(): Promise<void>;
}> {
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: mkdtempSync(join(tmpdir(), "mlbook-s3-")),
    configureBuckets: [{name: bucket, configs: []}]
  });
  const {port} = await server.run();
  // The SDK's notice that it will need Node 22 from 2027 says nothing about these tests.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const env = {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_REGION: "us-east-1"
  };
  const s3 = new S3Client({
    endpoint: env.AWS_ENDPOINT_URL,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: {accessKeyId: "S3RVER", secretAccessKey: "S3RVER"}
  });
  return {
    env,
    s3,
    async close() {
      s3.destroy();
      await server.close();
    }
  };
}

/** A free TCP port on loopback (for a server that cannot pick one itself). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Debian's redis-server on a free loopback port, persisting nothing; resolves once it accepts connections. */
export async function startRedis(): Promise<{url: string; stop(): Promise<void>}> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {cwd: mkdtempSync(join(tmpdir(), "mlbook-redis-")), stdio: ["ignore", "pipe", "pipe"]}
  );
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 20_000);
    child.on("error", (error) =>
      reject(new Error(`redis-server: ${error.message} (apt-get install redis-server)`))
    );
    child.on("exit", (code) => reject(new Error(`redis-server exited ${code}:\n${out}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners("exit");
        child.on("exit", () => resolve());
        child.kill("SIGTERM");
      })
  };
}
