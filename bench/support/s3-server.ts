/**
 * The S3-compatible server a bench uploads to: the one named by SM_EXT_S3_ENDPOINT/KEY/SECRET (e.g. from
 * test/external/servers.sh), else MinIO from the external tier's build cache started on `ip` for the bench's
 * lifetime. Also the environment that points Debian's `rclone` at it (a remote named `benchs3`).
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

export interface BenchS3 {
  endpoint: string;
  key: string;
  secret: string;
  /** Creates a bucket. */
  createBucket(name: string): Promise<void>;
  /** CPU seconds the server has used so far, when this bench started it (undefined for an external server). */
  cpuSeconds(): number | undefined;
  /** `RCLONE_CONFIG_BENCHS3_*`: `rclone copy SRC benchs3:BUCKET/PATH` reaches the same server. */
  rcloneEnv(): Record<string, string>;
  close(): Promise<void>;
}

function cachedMinio(): string | undefined {
  const root = join(process.env.SM_TS_CACHE ?? join(homedir(), ".cache", "scylla-manager-ts"), "go-bin");
  if (!existsSync(root)) return undefined;
  const dir = readdirSync(root).find((d) => d.startsWith("minio-"));
  const bin = dir === undefined ? undefined : join(root, dir, "minio");
  return bin !== undefined && existsSync(bin) ? bin : undefined;
}

async function waitLive(endpoint: string): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${endpoint}/minio/health/live`)).ok) return true;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** The server, or a reason why there is none. */
export async function startBenchS3(ip: string, dataDir: string): Promise<BenchS3 | string> {
  let endpoint = process.env.SM_EXT_S3_ENDPOINT;
  let key = process.env.SM_EXT_S3_KEY ?? "";
  let secret = process.env.SM_EXT_S3_SECRET ?? "";
  let child: ChildProcess | undefined;
  if (endpoint === undefined) {
    const minio = cachedMinio();
    if (minio === undefined) return "no SM_EXT_S3_ENDPOINT and no MinIO in the cache (run test/external/run.sh once)";
    key = "benchaccess";
    secret = "benchsecret123";
    endpoint = `http://${ip}:9000`;
    mkdirSync(dataDir, { recursive: true });
    child = spawn(minio, ["server", "--quiet", "--address", `${ip}:9000`, dataDir], {
      stdio: "ignore",
      env: { ...process.env, MINIO_ROOT_USER: key, MINIO_ROOT_PASSWORD: secret, MINIO_BROWSER: "off" },
    });
    if (!(await waitLive(endpoint))) {
      child.kill();
      return `MinIO did not start on ${endpoint}`;
    }
  }
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: key, secretAccessKey: secret },
  });
  const url = endpoint;
  return {
    endpoint: url,
    key,
    secret,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    cpuSeconds() {
      if (child?.pid === undefined) return undefined;
      // utime and stime are the 12th and 13th fields after the command name, in clock ticks (100 Hz on Linux).
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
    },
    rcloneEnv: () => ({
      RCLONE_CONFIG_BENCHS3_TYPE: "s3",
      RCLONE_CONFIG_BENCHS3_PROVIDER: "Minio",
      RCLONE_CONFIG_BENCHS3_ENDPOINT: url,
      RCLONE_CONFIG_BENCHS3_ACCESS_KEY_ID: key,
      RCLONE_CONFIG_BENCHS3_SECRET_ACCESS_KEY: secret,
      RCLONE_CONFIG_BENCHS3_ENV_AUTH: "false",
      // rclone's S3 SDK refuses any AWS_CA_BUNDLE with its own HTTP transport; the endpoint is plain HTTP anyway.
      AWS_CA_BUNDLE: "",
    }),
    async close() {
      client.destroy();
      if (child !== undefined) {
        const exited = new Promise((resolve) => child?.once("exit", resolve));
        child.kill();
        await exited;
      }
    },
  };
}
