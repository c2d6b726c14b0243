/**
 * The last two middlewares: unknown routes (404, or 405 with `Allow` when the path exists with
 * other methods) and the error handler, which turns anything thrown into the JSON error shape.
 * Only `ApiError`s and the body parser's client errors say what happened; anything else is logged
 * with its stack and answered with a generic 500 (or 503 when Redis cannot be reached).
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../wire/telemetry/index.js';
import { ApiError } from './api-error.js';
import { isTransientRedisReply } from '../store/index.js';
import { OPERATIONS } from './openapi/operations.js';

const routePatterns = (() => {
  const byPath = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const spec of OPERATIONS) {
    const entry = byPath.get(spec.path) ?? {
      pattern: new RegExp(`^${spec.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}/?$`),
      methods: new Set<string>(),
    };
    entry.methods.add(spec.method.toUpperCase());
    byPath.set(spec.path, entry);
  }
  return [...byPath.values()];
})();

export const unknownRoute: RequestHandler = (req, res, next) => {
  // A path may match several routes (`/v1/sagas/counts` is also `/v1/sagas/:id`): it allows the
  // methods of all of them.
  const methods = new Set(
    routePatterns.filter((r) => r.pattern.test(req.path)).flatMap((r) => [...r.methods]),
  );
  if (methods.size > 0 && !methods.has(req.method)) {
    const allowed = [...methods].sort().join(', ');
    res.set('Allow', allowed);
    next(new ApiError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${allowed}`));
    return;
  }
  next(new ApiError('NOT_FOUND', `no route ${req.method} ${req.path}`));
};

/** The body parser's errors (http-errors with a `type`), which are the client's doing. */
function bodyParserError(error: unknown): ApiError | undefined {
  if (error == null || typeof error !== 'object' || !('type' in error)) return undefined;
  const { type, message, limit, encoding, charset } = error as {
    type: unknown;
    message?: unknown;
    limit?: unknown;
    encoding?: unknown;
    charset?: unknown;
  };
  switch (type) {
    case 'entity.parse.failed':
      return new ApiError(
        'MALFORMED_JSON',
        `the body is not valid JSON (${typeof message === 'string' ? message : 'parse error'})`,
      );
    case 'entity.too.large':
      return new ApiError(
        'PAYLOAD_TOO_LARGE',
        `the body is larger than ${typeof limit === 'number' ? `${limit} bytes` : 'the limit'}`,
      );
    case 'encoding.unsupported':
      return new ApiError(
        'UNSUPPORTED_MEDIA_TYPE',
        `the Content-Encoding ${JSON.stringify(String(encoding))} is not supported; send the body as it is, or in gzip, deflate or br`,
      );
    case 'charset.unsupported':
      return new ApiError(
        'UNSUPPORTED_MEDIA_TYPE',
        `the charset ${JSON.stringify(String(charset))} is not supported; the body must be UTF-8 JSON`,
      );
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ApiError('VALIDATION_FAILED', 'the body could not be read in full');
    default:
      return undefined;
  }
}

/** zlib's error codes (`Z_DATA_ERROR`, …) and brotli's (`ERR__ERROR_FORMAT_PADDING_2`, …). */
const DECOMPRESSION_ERROR = /^(Z_|ERR__ERROR_)/;

/**
 * Other client errors of the framework, marked with a 4xx `status`: a path that is not valid
 * percent-encoding (express' router, a URIError) and a body its `Content-Encoding` does not
 * describe (body-parser, a zlib error). Both are the request's fault, never a 500.
 */
function frameworkClientError(error: unknown): ApiError | undefined {
  if (!(error instanceof Error)) return undefined;
  const status = (error as { status?: unknown; statusCode?: unknown }).status;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (error instanceof URIError) {
    return new ApiError('VALIDATION_FAILED', 'the path is not valid percent-encoding');
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && DECOMPRESSION_ERROR.test(code)) {
    return new ApiError(
      'VALIDATION_FAILED',
      'the body is not what its Content-Encoding says (it cannot be decompressed)',
    );
  }
  return new ApiError('VALIDATION_FAILED', 'the request could not be read');
}

/**
 * ioredis gives up on a command when it cannot reach the server, or passes on a cluster's
 * transient answer when its own retries ran out (a primary's failover): a client should retry.
 */
function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.name === 'ClusterAllFailedError' ||
    isTransientRedisReply(error) ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED/.test(error.message)
  );
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let apiError =
      error instanceof ApiError ? error : (bodyParserError(error) ?? frameworkClientError(error));
    if (!apiError) {
      if (isUnavailable(error)) {
        logger.warn('request failed: Redis unavailable', { method: req.method, path: req.path });
        apiError = new ApiError('UNAVAILABLE', 'the saga store cannot be reached; try again');
      } else {
        logger.error('request failed', { method: req.method, path: req.path, error });
        apiError = new ApiError('INTERNAL', 'internal error; the orchestrator log has the details');
      }
    }
    res.status(apiError.status).json(apiError.toBody());
  };
}
