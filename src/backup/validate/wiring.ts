/**
 * Registers the `validate_backup` runner with a Manager (once per Manager), beside the cluster services.
 * @module
 */
import { type ClusterServicesDeps, ensureClusterServices } from "../../healthcheck/wiring.ts";
import type { Manager } from "../../manager/manager.ts";
import { ValidateBackupRunner } from "./runner.ts";

const attached = new WeakMap<object, ValidateBackupRunner>();

/** The validate_backup runner of `deps.manager`, created and registered on first use. */
export function ensureValidateBackupRunner(deps: ClusterServicesDeps & { manager?: Manager }): ValidateBackupRunner {
  const key = deps.manager ?? deps.store;
  const existing = attached.get(key);
  if (existing) return existing;
  const { clusters } = ensureClusterServices(deps);
  const runner = new ValidateBackupRunner({ store: deps.store, clusters });
  deps.manager?.registerRunner("validate_backup", runner);
  attached.set(key, runner);
  return runner;
}
