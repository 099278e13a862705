/**
 * Compile-time link between a hand-built JSON answer and the valibot schema that documents it (the served
 * `openapi.json` is generated from those schemas): `describes<Built>()(Schema)` fails to type-check when `Built` has a
 * key the schema does not describe, or a value the schema's output type does not accept. So a field added to a
 * response builder without its description, or with another type, is a compile error, not a silently stale document.
 * @module
 */
import type * as v from "valibot";

type Undescribed<S extends v.GenericSchema, T> = Exclude<keyof T, keyof v.InferOutput<S>>;

/** `Schema` unchanged when it describes every key and value of `T`; a type error otherwise. */
export function describes<T>() {
  return <S extends v.GenericSchema>(
    schema: S &
      ([T] extends [v.InferOutput<S>] ? unknown : { "values of T the schema rejects": T }) &
      ([Undescribed<S, T>] extends [never] ? unknown : { "keys of T the schema lacks": Undescribed<S, T> }),
  ): S => schema;
}
