// The error a client caused: it names the field, what was expected and what came, and maps to a 4xx.
import { describe } from '../attest/hex';

export class RequestError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received: string,
    readonly statusCode = 400,
  ) {
    super(`${field}: expected ${expected}, got ${received}`);
  }

  static of(field: string, expected: string, value: unknown, statusCode = 400): RequestError {
    return new RequestError(field, expected, describe(value), statusCode);
  }
}
