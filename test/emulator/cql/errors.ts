/** CQL protocol errors (native protocol v4 spec, section 9) as the emulated node sends them. */

/** Error codes of the ERROR message. */
export const ErrorCode = {
  Server: 0x0000,
  Protocol: 0x000a,
  BadCredentials: 0x0100,
  Unavailable: 0x1000,
  Overloaded: 0x1001,
  IsBootstrapping: 0x1002,
  Truncate: 0x1003,
  WriteTimeout: 0x1100,
  ReadTimeout: 0x1200,
  Syntax: 0x2000,
  Unauthorized: 0x2100,
  Invalid: 0x2200,
  Config: 0x2300,
  AlreadyExists: 0x2400,
  Unprepared: 0x2500,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error answered to the client as an ERROR frame; `extra` carries the code-specific trailer. */
export class CqlError extends Error {
  override name = "CqlError";
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
    readonly extra: { keyspace?: string; table?: string; preparedId?: Buffer } = {},
  ) {
    super(message);
  }
}

/** Scylla's wording for a SASL PLAIN login with a wrong user or password. */
export const BAD_CREDENTIALS_MESSAGE = "Username and/or password are incorrect";

/** Builds the Invalid error Scylla answers for a table it does not know. */
export function unconfiguredTable(name: string): CqlError {
  return new CqlError(ErrorCode.Invalid, `unconfigured table ${name}`);
}

/** Builds the Invalid error Scylla answers for a keyspace it does not know. */
export function unknownKeyspace(name: string): CqlError {
  return new CqlError(ErrorCode.Invalid, `Keyspace '${name}' does not exist`);
}

/** Maps a schema model error (which carries its protocol code) to the CQL error Scylla sends. */
export function fromSchemaError(err: { message: string; cqlCode: number; keyspace: string; table: string }): CqlError {
  switch (err.cqlCode) {
    case ErrorCode.AlreadyExists:
      return new CqlError(ErrorCode.AlreadyExists, err.message, { keyspace: err.keyspace, table: err.table });
    case ErrorCode.Config:
      return new CqlError(ErrorCode.Config, err.message);
    case ErrorCode.Unauthorized:
      return new CqlError(ErrorCode.Unauthorized, err.message);
    default:
      return new CqlError(ErrorCode.Invalid, err.message);
  }
}
