/**
 * Compares the served document with Scylla Manager's swagger (for `compat.test.ts`): every SM operation, parameter
 * and answer field must be in ours with a compatible type. Answers the differences as text lines, grouped as missing
 * (SM has it, we do not), incompatible (both have it, types differ) and extra (ours only), keyed so a test can list
 * the known ones by name: `op <METHOD> <path>`, `param <METHOD> <path> <name>`, `field <SM definition>.<name>`.
 * @module
 */

type Schema = Record<string, unknown>;
interface Doc {
  paths: Record<string, Record<string, unknown>>;
  definitions?: Record<string, Schema>;
}

export interface Differences {
  missing: string[];
  incompatible: string[];
  extra: string[];
}

const METHODS = ["get", "put", "post", "delete", "patch"];

function resolve(doc: Doc, schema: Schema | undefined): { schema: Schema | undefined; name?: string } {
  let current = schema;
  let name: string | undefined;
  for (let i = 0; i < 10 && current; i++) {
    if (typeof current.$ref === "string") {
      name = current.$ref.replace("#/definitions/", "");
      current = doc.definitions?.[name];
    } else if (Array.isArray(current.allOf) && current.allOf.length === 1) current = current.allOf[0] as Schema;
    else break;
  }
  return { schema: current, name };
}

/** SM's `number` accepts our `integer`; everything else must match. */
function compatibleType(sm: unknown, ours: unknown): boolean {
  return sm === undefined || sm === ours || (sm === "number" && ours === "integer");
}

export function compareDocuments(sm: Doc, ours: Doc): Differences {
  const out: Differences = { missing: [], incompatible: [], extra: [] };
  const seen = new Set<string>();

  const compareSchema = (smRaw: Schema | undefined, ourRaw: Schema | undefined, where: string) => {
    const s = resolve(sm, smRaw);
    const o = resolve(ours, ourRaw);
    const at = s.name ?? where;
    if (!s.schema) return;
    if (!o.schema) {
      out.missing.push(`schema ${at}`);
      return;
    }
    const key = `${at}|${o.name ?? where}`;
    if (s.name && seen.has(key)) return;
    seen.add(key);
    if (!compatibleType(s.schema.type, o.schema.type)) {
      out.incompatible.push(`type ${at}: SM ${String(s.schema.type)}, ours ${String(o.schema.type)}`);
      return;
    }
    if (s.schema.items) compareSchema(s.schema.items as Schema, o.schema.items as Schema, `${at}[]`);
    const smProps = (s.schema.properties ?? {}) as Record<string, Schema>;
    const ourProps = (o.schema.properties ?? {}) as Record<string, Schema>;
    for (const [name, property] of Object.entries(smProps)) {
      const field = `field ${at}.${name}`;
      if (!(name in ourProps)) out.missing.push(field);
      else compareSchema(property, ourProps[name], `${at}.${name}`);
    }
    if (Object.keys(smProps).length > 0) {
      for (const name of Object.keys(ourProps)) if (!(name in smProps)) out.extra.push(`field ${at}.${name}`);
    }
  };

  for (const [path, item] of Object.entries(sm.paths)) {
    const shared = (item.parameters ?? []) as Schema[];
    for (const method of METHODS) {
      const smOp = item[method] as Schema | undefined;
      if (!smOp) continue;
      const op = `${method.toUpperCase()} ${path}`;
      const ourItem = ours.paths[path] ?? {};
      const ourOp = ourItem[method] as Schema | undefined;
      if (!ourOp) {
        out.missing.push(`op ${op}`);
        continue;
      }
      const ourParams = [...((ourItem.parameters ?? []) as Schema[]), ...((ourOp.parameters ?? []) as Schema[])];
      for (const param of [...shared, ...((smOp.parameters ?? []) as Schema[])]) {
        const mine = ourParams.find((p) => p.name === param.name && p.in === param.in);
        const where = `param ${op} ${String(param.name)}`;
        if (!mine) out.missing.push(where);
        else if (param.in === "body") compareSchema(param.schema as Schema, mine.schema as Schema, `${op} body`);
        else if (!compatibleType(param.type, mine.type)) {
          out.incompatible.push(`${where}: SM ${String(param.type)}, ours ${String(mine.type)}`);
        }
      }
      const smResponses = (smOp.responses ?? {}) as Record<string, Schema>;
      const ourResponses = (ourOp.responses ?? {}) as Record<string, Schema>;
      for (const [status, answer] of Object.entries(smResponses)) {
        const mine = ourResponses[status] ?? ourResponses.default;
        if (!mine) out.missing.push(`answer ${op} ${status}`);
        else if (answer.schema && !mine.schema) out.missing.push(`answer ${op} ${status} body`);
        else compareSchema(answer.schema as Schema, mine.schema as Schema, `${op} ${status}`);
      }
    }
  }
  for (const [path, item] of Object.entries(ours.paths)) {
    for (const method of METHODS) {
      if (item[method] && !(sm.paths[path] as Schema | undefined)?.[method]) {
        out.extra.push(`op ${method.toUpperCase()} ${path}`);
      }
    }
  }
  return out;
}
