/**
 * Where the CLI finds the API: `--url` / `SAGA_API_URL` (default http://127.0.0.1:8080) and
 * `--token` / `SAGA_API_TOKEN`. The only module of the CLI that reads the environment.
 */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export interface CliConnection {
  url: string;
  token: string | undefined;
}

export function resolveConnection(
  flags: { url?: string | undefined; token?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): CliConnection {
  const url = (flags.url ?? env.SAGA_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const token = flags.token ?? (env.SAGA_API_TOKEN || undefined);
  return { url, token };
}
