/**
 * The TCP services a simulated VM can run in its network namespace, in memory: a connection is a
 * pair of byte streams (no socket). `tcp-echo` sends back what it receives; `http-server` answers
 * HTTP/1.0 GET and HEAD with the files of a directory of the VM, as `python3 -m http.server` does.
 */
import { VirtualFs } from '../exeunit/VirtualFs.js';

/** The requestor's end of a connection, as the service sees it. */
export interface TcpPeer {
  /** Sends bytes to the requestor. */
  write(bytes: Uint8Array): void;
  /** Closes the connection from the service's side. */
  end(): void;
}

/** The service's end of one connection. */
export interface TcpConnection {
  /** Bytes from the requestor. */
  data(bytes: Uint8Array): void;
  /** The requestor closed the connection (or it broke). */
  end(): void;
}

/** A service listening on a port: called once per connection. */
export type TcpService = (peer: TcpPeer) => TcpConnection;

/** Sends back every byte it receives; ends when the requestor does. */
export const echoService: TcpService = (peer) => ({
  data: (bytes) => peer.write(bytes),
  end: () => peer.end(),
});

const MAX_HEAD_BYTES = 64 * 1024;
const encoder = new TextEncoder();
const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html',
  htm: 'text/html',
  txt: 'text/plain',
  json: 'application/json',
  css: 'text/css',
  js: 'text/javascript',
};

/**
 * An HTTP/1.0 file server over `root` of `fs`: one request a connection (`Connection: close`);
 * GET and HEAD of a file (200), of a directory (its `index.html`, else a listing), 404 for
 * nothing there, 501 for other methods, 400 for a request it cannot read.
 */
export function httpService(fs: VirtualFs, root: string): TcpService {
  return (peer) => {
    let head = '';
    let answered = false;
    return {
      data: (bytes) => {
        if (answered) return;
        head += new TextDecoder().decode(bytes);
        const endOfHead = head.indexOf('\r\n\r\n');
        if (endOfHead < 0 && head.length < MAX_HEAD_BYTES) return;
        answered = true;
        const [requestLine = ''] = head.slice(0, endOfHead < 0 ? head.length : endOfHead).split('\r\n');
        const response = answer(fs, root, requestLine);
        peer.write(response);
        peer.end();
      },
      end: () => {
        if (!answered) peer.end();
      },
    };
  };
}

function answer(fs: VirtualFs, root: string, requestLine: string): Uint8Array {
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
  if (match === null) return response(400, 'Bad request syntax', 'text/plain');
  const [, method = '', target = ''] = match;
  if (method !== 'GET' && method !== 'HEAD') return response(501, 'Unsupported method', 'text/plain');
  let path: string;
  try {
    path = decodeURIComponent(target.split('?')[0] ?? '/');
  } catch {
    return response(400, 'Bad request path', 'text/plain');
  }
  let file = VirtualFs.resolve(`${root}/${VirtualFs.resolve(path)}`);
  if (fs.isDir(file)) {
    const index = `${file}/index.html`;
    if (!fs.isFile(index)) {
      const names = fs.readdir(file).sort();
      const items = names.map((n) => `<li><a href="${n}">${n}</a></li>`).join('');
      return response(200, `<html><body><ul>${items}</ul></body></html>`, 'text/html', method === 'HEAD');
    }
    file = index;
  }
  if (!fs.isFile(file)) return response(404, 'File not found', 'text/plain');
  const extension = /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase() ?? '';
  return response(200, fs.readFile(file), TYPES[extension] ?? 'application/octet-stream', method === 'HEAD');
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  501: 'Not Implemented',
};

function response(status: number, body: string | Uint8Array, type: string, headOnly = false): Uint8Array {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const headers =
    `HTTP/1.0 ${status} ${REASONS[status] ?? ''}\r\n` +
    'Server: devnet-http/1.0\r\n' +
    `Content-Type: ${type}\r\n` +
    `Content-Length: ${bytes.length}\r\n` +
    'Connection: close\r\n\r\n';
  const out = encoder.encode(headers);
  if (headOnly) return out;
  const all = new Uint8Array(out.length + bytes.length);
  all.set(out);
  all.set(bytes, out.length);
  return all;
}
