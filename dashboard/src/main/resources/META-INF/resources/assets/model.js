// A session's feed as the page shows it: events folded into cards (a tool call's start and end
// become one card, a message's chunks one message), in the order they first appeared. Events are
// applied once each: a (sessionId, seq) already applied is dropped and counted, and a seq that
// skips ahead is recorded as a gap, so a protocol fault shows instead of silently corrupting the
// feed.

/** A tier-3 field cut from a live event: `{"detail":{"eventId","seq","bytes"}}`. */
export function isDetailRef(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    value.detail !== null &&
    typeof value.detail === 'object' &&
    typeof value.detail.eventId === 'string'
  );
}

/** The card categories the type filter offers. */
export const CATEGORIES = ['tools', 'messages', 'files', 'artifacts', 'errors'];

export class SessionFeed {
  constructor(sessionId) {
    this.sessionId = sessionId;
    this.items = [];
    this.byKey = new Map();
    this.lastSeq = 0;
    this.applied = 0;
    this.duplicates = 0;
    this.gaps = [];
    this.phases = [];
    this.status = null;
    this.agentId = null;
    this.firstTs = null;
    this.lastTs = null;
    this.toolCalls = 0;
    this.toolFailures = 0;
    this.files = new Set();
    this.costUsd = null;
    this.errorCount = 0;
    this.version = 0;
    this.seqLog = [];
  }

  /** Applies events in delivery order; returns how many new cards they made. */
  apply(events) {
    const before = this.items.length;
    for (const event of events) {
      if (event.sessionId !== this.sessionId) {
        continue;
      }
      if (typeof event.seq === 'number') {
        if (event.seq <= this.lastSeq) {
          this.duplicates++;
          continue;
        }
        if (event.seq !== this.lastSeq + 1) {
          this.gaps.push({ from: this.lastSeq + 1, to: event.seq - 1 });
        }
        this.lastSeq = event.seq;
      }
      this.seqLog.push(event.seq);
      this.applied++;
      this.#fold(event);
    }
    this.version++;
    return this.items.length - before;
  }

  #add(key, item) {
    item.key = key;
    item.index = this.items.length;
    item.version = 0;
    item.isError = item.isError || false;
    this.items.push(item);
    this.byKey.set(key, item);
    return item;
  }

  #touch(item) {
    item.version++;
    item.search = null;
  }

  #fold(event) {
    const data = event.data || {};
    this.agentId = this.agentId || event.agentId;
    this.firstTs = this.firstTs || event.ts;
    this.lastTs = event.ts;
    const base = { seq: event.seq, ts: event.ts, agentId: event.agentId };
    const type = event.type;
    if (type.startsWith('tool.')) {
      this.#tool(event, data, base);
    } else if (type.startsWith('file.')) {
      this.files.add(data.path);
      this.#add(`file:${event.id}`, {
        ...base,
        kind: 'file',
        action: type.slice('file.'.length),
        path: data.path,
        linesAdded: data.linesAdded,
        linesRemoved: data.linesRemoved,
        preview: typeof data.diffPreview === 'string' ? data.diffPreview : stringOrNull(data.diff),
        diff: data.diff,
        diffSkipped: data.diffSkipped,
        eventId: event.id,
      });
    } else if (type === 'message.chunk') {
      const item = this.#message(data.messageId, base, data.role);
      item.chunks.set(data.chunkIndex, data.text);
      if (data.chunkIndex === item.nextChunk) {
        item.text += data.text;
        item.nextChunk++;
        while (item.chunks.has(item.nextChunk)) {
          item.text += item.chunks.get(item.nextChunk);
          item.nextChunk++;
        }
      }
      this.#touch(item);
    } else if (type === 'message.completed') {
      const item = this.#message(data.messageId, base, data.role);
      item.streaming = false;
      item.completedEventId = event.id;
      if (typeof data.text === 'string') {
        item.text = data.text;
      } else if (isDetailRef(data.text)) {
        item.textRef = data.text.detail;
      }
      if (data.usage && typeof data.usage.costUsd === 'number') {
        this.costUsd = (this.costUsd || 0) + data.usage.costUsd;
      }
      this.#touch(item);
    } else if (type.startsWith('thinking.')) {
      const key = `thinking:${data.thinkingId}`;
      const item =
        this.byKey.get(key) ||
        this.#add(key, { ...base, kind: 'thinking', thinkingId: data.thinkingId, done: false });
      if (type === 'thinking.completed') {
        item.done = true;
        item.durationMs = data.durationMs;
        item.text = data.text;
        item.eventId = event.id;
      }
      this.#touch(item);
    } else if (type === 'workflow.phase_changed') {
      this.phases.push({ phase: data.phase, at: event.ts, seq: event.seq });
      this.#add(`phase:${event.id}`, { ...base, kind: 'phase', phase: data.phase });
    } else if (type === 'artifact.created') {
      this.#add(`artifact:${event.id}`, {
        ...base,
        kind: 'artifact',
        artifactKind: data.kind,
        name: data.name,
        uri: data.uri,
        contentType: data.contentType,
        bytes: data.bytes,
        content: data.content,
        eventId: event.id,
      });
    } else if (type.startsWith('session.')) {
      this.#session(event, data, base);
    } else {
      const isError = data.level === 'error';
      if (isError) {
        this.errorCount++;
      }
      this.#add(`log:${event.id}`, {
        ...base,
        kind: 'log',
        level: data.level || 'info',
        message: stringOrNull(data.message) ?? '',
        isError,
      });
    }
  }

  #tool(event, data, base) {
    const key = `tool:${data.toolId}`;
    let item = this.byKey.get(key);
    if (!item) {
      item = this.#add(key, {
        ...base,
        kind: 'tool',
        toolId: data.toolId,
        toolName: data.toolName,
        status: 'running',
        eventIds: [],
      });
    }
    item.eventIds.push(event.id);
    if (data.input !== undefined && item.input === undefined) {
      item.input = data.input;
    }
    if (event.type === 'tool.started') {
      item.startedTs = event.ts;
    } else {
      const failed = event.type === 'tool.failed' || data.success === false;
      item.status = failed ? 'failed' : 'ok';
      item.durationMs = data.durationMs;
      item.resultSummary = stringOrNull(data.resultSummary);
      item.error = stringOrNull(data.error);
      item.output = data.output;
      item.endSeq = event.seq;
      this.toolCalls++;
      if (failed) {
        this.toolFailures++;
        this.errorCount++;
        item.isError = true;
      }
    }
    this.#touch(item);
  }

  #message(messageId, base, role) {
    const key = `message:${messageId}`;
    return (
      this.byKey.get(key) ||
      this.#add(key, {
        ...base,
        kind: 'message',
        messageId,
        role: role || 'assistant',
        chunks: new Map(),
        nextChunk: 0,
        text: '',
        streaming: true,
      })
    );
  }

  #session(event, data, base) {
    const action = event.type.slice('session.'.length);
    if (action === 'started' || action === 'progress') {
      this.status = this.status || 'running';
    } else {
      this.status = action;
    }
    if (data.usage && typeof data.usage.costUsd === 'number' && action !== 'progress') {
      this.costUsd = data.usage.costUsd;
    }
    const isError = action === 'failed';
    if (isError) {
      this.errorCount++;
    }
    this.#add(`session:${event.id}`, {
      ...base,
      kind: 'session',
      action,
      title: stringOrNull(data.title),
      model: stringOrNull(data.model),
      task: stringOrNull(data.task),
      message: stringOrNull(data.message ?? data.summary ?? data.error),
      percent: data.percent,
      durationMs: data.durationMs,
      isError,
    });
  }
}

/** Whether `item` passes the category filter and the search text (lowercase). */
export function matches(item, category, query) {
  if (category && category !== 'all') {
    const ok =
      (category === 'tools' && item.kind === 'tool') ||
      (category === 'messages' && (item.kind === 'message' || item.kind === 'thinking')) ||
      (category === 'files' && item.kind === 'file') ||
      (category === 'artifacts' && item.kind === 'artifact') ||
      (category === 'errors' && item.isError);
    if (!ok) {
      return false;
    }
  }
  if (!query) {
    return true;
  }
  if (item.search === null || item.search === undefined) {
    item.search = searchText(item).toLowerCase();
  }
  return item.search.includes(query);
}

function searchText(item) {
  const parts = [item.kind];
  for (const field of [
    'toolName',
    'resultSummary',
    'error',
    'path',
    'text',
    'phase',
    'name',
    'message',
    'title',
    'task',
    'action',
  ]) {
    if (typeof item[field] === 'string') {
      parts.push(item[field]);
    }
  }
  if (item.input !== undefined && !isDetailRef(item.input)) {
    parts.push(JSON.stringify(item.input));
  }
  return parts.join(' ');
}

function stringOrNull(value) {
  return typeof value === 'string' ? value : null;
}
