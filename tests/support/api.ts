/** A small HTTP client for the local cloud's API, returning status, parsed JSON body and headers. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export function apiUrl(): string {
  const url = process.env['TEST_API_URL'];
  if (!url)
    throw new Error('TEST_API_URL is not set: integration tests run under tests/integration/support/globalSetup.ts');
  return url;
}

export async function api<T = any>(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${apiUrl()}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text, the test will say so */
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

export const post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
  api<T>('POST', path, { body, ...(headers ? { headers } : {}) });
export const get = <T = any>(path: string, headers?: Record<string, string>) =>
  api<T>('GET', path, headers ? { headers } : {});

export const uniqueSuffix = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
