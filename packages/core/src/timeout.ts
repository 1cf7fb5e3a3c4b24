/**
 * `operation`'s result, or a rejection with `timeoutError()` once `timeoutMs` have passed,
 * whichever comes first. The operation is not cancelled: it settles later, and a rejection
 * it ends with then is kept from going unhandled.
 */
export async function withTimeout<T>(operation: Promise<T>, timeoutMs: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), timeoutMs);
  });
  try {
    return await Promise.race([operation, timeout]);
  } finally {
    clearTimeout(timer);
    operation.catch(() => undefined);
  }
}
