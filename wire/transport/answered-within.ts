/**
 * A health check's answer within a bound: the check's own answer, or `false` when it rejects or
 * has not settled within `timeoutMs`. Readiness probes need this because the clients they ask do
 * not fail fast on their own: ioredis queues a PING while it reconnects, kafkajs waits out its
 * request timeout on a hung broker.
 */
export async function answeredWithin(check: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([check.catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
