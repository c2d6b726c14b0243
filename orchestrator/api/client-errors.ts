/**
 * Requests Node's HTTP parser refuses before express sees them: a method HTTP does not know
 * (`FOO`), a malformed request line or header, headers over Node's size limit, a request that
 * did not arrive in time. Node's own answer is a bare status line with no body; here it is the
 * API's error body, so every 4xx a client gets says what is wrong in the same shape.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from './api-error.js';

/** What Node's parser errors carry (`HPE_*` codes from llhttp, plus a reason). */
interface ParserError extends Error {
  code?: string;
  reason?: string;
  /** The bytes being parsed when the parser gave up. */
  rawPacket?: Buffer;
}

/** The error for a request the parser refused, after Node's own mapping of codes to statuses. */
export function parserClientError(error: ParserError): ApiError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        'HEADERS_TOO_LARGE',
        'the request line and headers are larger than the server accepts (16 kB)',
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ApiError('PAYLOAD_TOO_LARGE', 'the chunk extensions of the body are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError('REQUEST_TIMEOUT', 'the request did not arrive in full in time');
    case 'HPE_INVALID_METHOD':
      return new ApiError(
        'MALFORMED_REQUEST',
        'the request method is not one HTTP knows (use GET or POST)',
      );
    default: {
      const reason = error.reason ?? error.message;
      return new ApiError(
        'MALFORMED_REQUEST',
        `the request is not valid HTTP/1.1${reason ? ` (${reason.toLowerCase()})` : ''}`,
      );
    }
  }
}

/**
 * Makes `server` answer the requests its parser refuses with the API's JSON error, then close
 * the connection (the parser cannot find where the next request would start).
 */
export function answerClientErrors(server: Server): Server {
  server.on('clientError', (error: ParserError, socket: Duplex) => {
    // Answer only between responses: bytes written now would cut into a response in progress
    // (junk pipelined after a request the app is still answering).
    const inProgress = (socket as { _httpMessage?: unknown })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inProgress) {
      socket.destroy();
      return;
    }
    const apiError = parserClientError(error);
    const body = JSON.stringify(apiError.toBody());
    // The answer to a HEAD has no body, whatever went wrong after the method.
    const head = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status] ?? ''}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        (head ? '' : body),
    );
  });
  return server;
}
