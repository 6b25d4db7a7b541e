// Compile-time assertions for the type tests in this folder. They are checked by `npm run typecheck`
// (tsconfig.json includes test/) and never run: a wrong type is a compile error.

/** True when A and B are the same type (not merely assignable to each other). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when `T` is `true`: `assertType<Equal<Actual, Expected>>(true)`. */
export function assertType<T extends true>(value: T): T {
  return value;
}

/** Declares a value of type T without creating one, e.g. to call a function with it. */
export declare function valueOf<T>(): T;
