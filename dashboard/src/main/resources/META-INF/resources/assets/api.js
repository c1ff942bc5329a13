// HTTP calls to the gateway (and the archiver for replays), with the bearer token.
import { token } from './auth.js';

/** An HTTP answer that was not 2xx; `problem` is the RFC 9457 body when there is one. */
export class HttpError extends Error {
  constructor(status, problem, url) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status} from ${url}`);
    this.status = status;
    this.problem = problem;
  }
}

async function request(url, accept, signal) {
  const headers = { Accept: accept };
  const t = token();
  if (t) {
    headers.Authorization = `Bearer ${t}`;
  }
  const response = await fetch(url, { headers, signal, credentials: 'omit' });
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      // not a problem-detail body
    }
    throw new HttpError(response.status, problem, url);
  }
  return response;
}

export async function getJson(url, signal) {
  const response = await request(url, 'application/json', signal);
  return response.json();
}

/** An NDJSON answer, parsed line by line as it streams in; `onItems` gets each parsed group. */
export async function getNdjson(url, onItems, signal) {
  const response = await request(url, 'application/x-ndjson, application/json', signal);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    rest += decoder.decode(value || new Uint8Array(), { stream: !done });
    const lines = rest.split('\n');
    rest = done ? '' : lines.pop();
    const items = [];
    for (const line of lines) {
      if (line.trim()) {
        items.push(JSON.parse(line));
      }
    }
    if (items.length) {
      onItems(items);
    }
    if (done) {
      return;
    }
  }
}

/** The list of sessions: the endpoint may answer an array or an object holding one. */
export function sessionsFrom(body) {
  if (Array.isArray(body)) {
    return body;
  }
  return body.sessions || body.items || [];
}
