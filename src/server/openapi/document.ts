/**
 * The served API description (`GET /api/v1/openapi.json`): swagger 2.0 — what SM's clients and our `/ui/` explorer
 * read — generated from the operations table and the valibot schemas the routes validate with and the answers are
 * typed by, so validation, answers and documentation have one source.
 * @module
 */
import type * as v from "valibot";
import { MANAGER_VERSION } from "../version.ts";
import { DEFINITIONS } from "./definitions.ts";
import { OPERATIONS, type Operation, type Parameter } from "./operations.ts";
import { type SwaggerSchema, toSwaggerDefinitions, toSwaggerSchema } from "./to-swagger.ts";

const ERROR = { $ref: "#/definitions/ErrorResponse" };

/** The keys a swagger 2.0 non-body parameter may carry from a schema. */
const PARAMETER_KEYS = ["type", "format", "items", "enum", "default", "minimum", "maximum", "pattern", "description"];

const schemaOf = (schema: v.GenericSchema): SwaggerSchema => toSwaggerSchema(schema, DEFINITIONS);

function parameterOf(parameter: Parameter): SwaggerSchema {
  const converted = schemaOf(parameter.schema);
  const out: SwaggerSchema = { name: parameter.name, in: parameter.in, required: parameter.required ?? false };
  for (const key of PARAMETER_KEYS) if (converted[key] !== undefined) out[key] = converted[key];
  if (parameter.description) out.description = parameter.description;
  if (out.type === "array") out.collectionFormat = "csv";
  // A query value is text: a default taken from a string-typed input schema is given in the parameter's own type.
  if ((out.type === "integer" || out.type === "number") && typeof out.default === "string") {
    out.default = Number(out.default);
  }
  return out;
}

function operationOf(operation: Operation): SwaggerSchema {
  const parameters = (operation.parameters ?? []).map(parameterOf);
  if (operation.body) {
    const { name, schema, required, description } = operation.body;
    parameters.push({
      name,
      in: "body",
      required: required ?? false,
      schema: schemaOf(schema),
      ...(description ? { description } : {}),
    });
  }
  const responses: SwaggerSchema = {};
  for (const [status, answer] of Object.entries(operation.answers)) {
    responses[status] = {
      description: answer.description,
      ...(answer.schema ? { schema: schemaOf(answer.schema) } : {}),
    };
  }
  responses.default = {
    description: "Error (400 bad input, 401 no or wrong token, 404 not found, 500)",
    schema: ERROR,
  };
  return {
    summary: operation.extension ? `Extension: ${operation.summary}` : operation.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
  };
}

/** The swagger 2.0 document of this server's API. */
export function buildOpenApiDocument(): SwaggerSchema & { paths: Record<string, Record<string, SwaggerSchema>> } {
  const paths: Record<string, Record<string, SwaggerSchema>> = {};
  for (const operation of OPERATIONS) {
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, SwaggerSchema>)[operation.method] = operationOf(operation);
  }
  return {
    swagger: "2.0",
    info: {
      title: "Scylla Manager API (TypeScript server)",
      description:
        "Scylla Manager's REST API as this server serves it, generated from the schemas its routes validate with " +
        "and its answers are built from. Operations beyond Scylla Manager's API are marked Extension.",
      version: MANAGER_VERSION,
      license: { name: "Apache-2.0" },
    },
    basePath: "/api/v1",
    consumes: ["application/json"],
    produces: ["application/json"],
    securityDefinitions: {
      bearer: {
        type: "apiKey",
        in: "header",
        name: "Authorization",
        description:
          "Extension: when the server config sets auth_token, every call except /ping needs `Bearer <token>`.",
      },
    },
    paths,
    definitions: toSwaggerDefinitions(DEFINITIONS),
  };
}
