// What the body of a successful answer must be for the call that asked for it.
import { JustLoginApiError } from '../errors';

/** `data` when it is a JSON object, else an `EBADRESPONSE` error naming `what`, not the body. */
export function objectOf(what: string, data: unknown): Record<string, unknown> {
  if (!isObject(data)) throw unexpected(what, 'a JSON object');
  return data;
}

/** `data` when it is a JSON array of objects, else an `EBADRESPONSE` error naming `what`, not the body. */
export function listOf(what: string, data: unknown): Record<string, unknown>[] {
  if (!Array.isArray(data) || !data.every(isObject)) throw unexpected(what, 'a JSON array of objects');
  return data;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unexpected(what: string, expected: string): JustLoginApiError {
  return new JustLoginApiError(
    `JustLogin's API (${what}) answered with something other than ${expected}`,
    'EBADRESPONSE',
    {
      retryable: false,
    },
  );
}
