import { Configuration, FrontendApi } from '@ory/kratos-client';
import axios, { type AxiosInstance } from 'axios';

/**
 * A browser, as far as the identity server can tell: the official SDK over an axios instance
 * with a cookie jar (name → value; every cookie is sent back to the one host tests talk to, and
 * an expired or `Max-Age=0` cookie is dropped). Redirects are not followed, so tests see them.
 */
export function browserClient(publicUrl: string): {
  frontend: FrontendApi;
  http: AxiosInstance;
  cookies: Map<string, string>;
} {
  const cookies = new Map<string, string>();
  const http = axios.create({ maxRedirects: 0, validateStatus: () => true });
  http.interceptors.request.use((request) => {
    if (cookies.size > 0) {
      request.headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    return request;
  });
  http.interceptors.response.use((response) => {
    const setCookie = response.headers['set-cookie'] ?? [];
    for (const line of setCookie) {
      const [pair, ...attributes] = line.split(';');
      const equals = pair!.indexOf('=');
      const name = pair!.slice(0, equals).trim();
      const value = pair!.slice(equals + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key, raw] = attribute.split('=').map((part) => part.trim().toLowerCase());
        return (
          (key === 'max-age' && Number(raw) <= 0) || (key === 'expires' && Date.parse(raw ?? '') < Date.now())
        );
      });
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    // The SDK treats non-2xx answers as errors, as in a browser app.
    if (response.status >= 400)
      return Promise.reject(Object.assign(new Error(`HTTP ${response.status}`), { response }));
    return response;
  });
  // The SDK is typed against axios' CommonJS declarations, this file against its ESM ones: the
  // same class under two names.
  const sdkAxios = http as unknown as ConstructorParameters<typeof FrontendApi>[2];
  return {
    frontend: new FrontendApi(new Configuration({ basePath: publicUrl }), publicUrl, sdkAxios),
    http,
    cookies,
  };
}
