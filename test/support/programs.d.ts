// Types of test/support/programs.js.

/** An outside program: its name (or absolute path) and how to install it. */
export interface Program {
  name: string;
  install: string;
}

export const REDIS_SERVER: Program;
export const REDIS_SENTINEL: Program;
export const REDIS_CLI: Program;
/** Chromium, or whatever CHROMIUM_PATH names (any Chromium or Chrome binary). */
export const CHROMIUM: Program;

/**
 * The path of `program.name`, an absolute path or a name looked up on PATH; throws
 * "<name> not found: install it with <install>" when it is not an executable file.
 */
export function requireProgram(program: Program): string;
