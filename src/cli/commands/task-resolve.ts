/**
 * sctool's task addressing `<type>[/<id|name>]` (SM's `pkg/command/flag/task.go`), resolved client-side as SM does:
 * a type alone means the single enabled task of that type; a name is looked up among all tasks, with a
 * "did you mean" suggestion when missing.
 * @module
 */
import type { ManagerApiClient } from "../../clients/manager-api/client.ts";
import { listTasks } from "../../clients/manager-api/tasks.ts";
import { ValidationError } from "../../errors.ts";
import { TASK_TYPES } from "../../scheduler/model.ts";
import { isUuid } from "../../util/uuid.ts";
import { findClosest } from "../suggest.ts";

/** A resolved task address. */
export interface TaskAddress {
  type: string;
  id: string;
}

/** Splits `type[/id|name]`; validates the type. */
function parseTaskAddress(text: string): { type: string; rest: string | undefined } {
  const slash = text.indexOf("/");
  const type = slash === -1 ? text : text.slice(0, slash);
  const rest = slash === -1 ? undefined : text.slice(slash + 1);
  if (!(TASK_TYPES as readonly string[]).includes(type)) {
    // SM's words exactly (scripts match on them).
    throw new ValidationError(`unknown task type ${type}`);
  }
  if (rest === "") throw new ValidationError(`invalid task "${text}": missing id or name after "/"`);
  return { type, rest };
}

/** Resolves `text` to a task type and UUID through the API. */
export async function resolveTask(client: ManagerApiClient, cluster: string, text: string): Promise<TaskAddress> {
  const { type, rest } = parseTaskAddress(text);
  if (rest !== undefined && isUuid(rest)) return { type, id: rest.toLowerCase() };
  if (rest === undefined) {
    const tasks = await listTasks(client, cluster, { type, short: true });
    if (tasks.length === 0) throw new ValidationError(`no tasks of type ${type}`);
    if (tasks.length > 1) {
      const names = tasks.map((task) => `- ${type}/${task.name || task.id}`).join("\n");
      throw new ValidationError(`task ambiguity, use one of:\n${names}`);
    }
    return { type, id: tasks[0]?.id ?? "" };
  }
  const tasks = await listTasks(client, cluster, { type, short: true, all: true });
  const match = tasks.find((task) => task.name === rest);
  if (match) return { type, id: match.id };
  const closest = findClosest(
    rest,
    tasks.map((task) => task.name).filter((name) => name !== ""),
  );
  throw new ValidationError(`not found${closest ? `, did you mean ${type}/${closest}` : ""}`);
}
