/**
 * `GET /agent/cloud/metadata` (SM's `pkg/cloudmeta`): probes the AWS, GCP and Azure instance-metadata services in parallel
 * and reports the first that answers. Always 200; empty strings when none does. Only a success is cached.
 * @module
 */

/** The InstanceMetadata JSON. */
export interface InstanceMetadata {
  cloud_provider: "aws" | "gcp" | "azure" | "";
  instance_type: string;
}

export interface CloudMetadataOptions {
  /** Base URLs of the metadata services (tests point them at local ports). */
  awsUrl?: string;
  gcpUrl?: string;
  azureUrl?: string;
  /**
   * Per-provider timeout; default 2000 ms. SM uses 5 s; off-cloud the link-local address is usually a black hole, so
   * a shorter probe keeps the endpoint responsive while still far above a real IMDS answer time.
   */
  timeoutMs?: number;
}

const EMPTY: InstanceMetadata = { cloud_provider: "", instance_type: "" };

/** A lazily probing, success-caching metadata source. */
export class CloudMetadata {
  readonly #options: Required<CloudMetadataOptions>;
  #cached: InstanceMetadata | undefined;

  constructor(options: CloudMetadataOptions = {}) {
    this.#options = {
      awsUrl: options.awsUrl ?? "http://169.254.169.254",
      gcpUrl: options.gcpUrl ?? "http://metadata.google.internal",
      azureUrl: options.azureUrl ?? "http://169.254.169.254",
      timeoutMs: options.timeoutMs ?? 2000,
    };
  }

  /** Probes (once per success) and never throws. */
  async get(): Promise<InstanceMetadata> {
    if (this.#cached !== undefined) return this.#cached;
    const probes = [probeAws, probeGcp, probeAzure].map((probe) => probe(this.#options));
    try {
      const found = await Promise.any(probes);
      this.#cached = found;
      return found;
    } catch {
      return EMPTY;
    }
  }
}

type Probe = (options: Required<CloudMetadataOptions>) => Promise<InstanceMetadata>;

async function fetchText(url: string, init: RequestInit, timeoutMs: number): Promise<string> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  if (text.trim() === "") throw new Error(`${url}: empty answer`);
  return text.trim();
}

/** IMDSv2: a session token first, then the instance type. */
const probeAws: Probe = async ({ awsUrl, timeoutMs }) => {
  const token = await fetchText(
    `${awsUrl}/latest/api/token`,
    { method: "PUT", headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" } },
    timeoutMs,
  );
  const type = await fetchText(
    `${awsUrl}/latest/meta-data/instance-type`,
    { headers: { "X-aws-ec2-metadata-token": token } },
    timeoutMs,
  );
  return { cloud_provider: "aws", instance_type: type };
};

/** GCP answers `projects/<n>/machineTypes/<type>`. */
const probeGcp: Probe = async ({ gcpUrl, timeoutMs }) => {
  const text = await fetchText(
    `${gcpUrl}/computeMetadata/v1/instance/machine-type`,
    { headers: { "Metadata-Flavor": "Google" } },
    timeoutMs,
  );
  return { cloud_provider: "gcp", instance_type: text.slice(text.lastIndexOf("/") + 1) };
};

const probeAzure: Probe = async ({ azureUrl, timeoutMs }) => {
  const type = await fetchText(
    `${azureUrl}/metadata/instance/compute/vmSize?api-version=2021-02-01&format=text`,
    { headers: { Metadata: "true" } },
    timeoutMs,
  );
  return { cloud_provider: "azure", instance_type: type };
};
