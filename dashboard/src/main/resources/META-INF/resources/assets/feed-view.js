// The session view shared by the live session page and the replay page: stats header, phase
// timeline, filters and search, the virtualized feed and the "N new events" pill.
import { SessionFeed, matches, CATEGORIES } from './model.js';
import { VirtualList } from './virtual-list.js';
import { renderCard, formatDuration, formatTime } from './cards.js';

const FILTER_LABELS = {
  all: 'All',
  tools: 'Tools',
  messages: 'Messages',
  files: 'Files',
  artifacts: 'Artifacts',
  errors: 'Errors',
};

export class FeedView {
  /** `detail(eventId)` → Promise of the full event; `controls` is an element placed in the toolbar. */
  constructor(container, sessionId, { detail, title, controls }) {
    this.sessionId = sessionId;
    this.feed = new SessionFeed(sessionId);
    this.stats = null;
    this.category = 'all';
    this.query = '';
    this.expanded = new Set();
    this.detailCache = new Map();
    this.detailSource = detail;
    this.firstCardAt = null;
    this.lastApplyAt = 0;
    this.applyMs = 0;
    this.view = [];

    this.root = el('section', 'session-view');
    this.root.setAttribute('aria-labelledby', 'session-title');
    const heading = el('h1', 'session-title', title);
    heading.id = 'session-title';
    this.statsEl = el('dl', 'stats');
    this.statsEl.setAttribute('aria-label', 'Session statistics');
    this.timelineEl = el('ol', 'timeline');
    this.timelineEl.setAttribute('aria-label', 'Phases');
    this.toolbar = this.#toolbar(controls);
    this.notice = el('p', 'notice');
    this.notice.setAttribute('role', 'status');
    this.notice.hidden = true;
    const feedWrap = el('div', 'feed-wrap');
    this.feedEl = el('div', 'feed');
    this.feedEl.id = 'feed';
    this.pill = el('button', 'new-pill');
    this.pill.type = 'button';
    this.pill.hidden = true;
    this.pill.addEventListener('click', () => this.list.follow());
    feedWrap.append(this.feedEl, this.pill);
    this.root.append(heading, this.statsEl, this.timelineEl, this.toolbar, this.notice, feedWrap);
    container.replaceChildren(this.root);

    this.list = new VirtualList(this.feedEl, {
      label: `Events of session ${sessionId}`,
      render: (item, node) => {
        renderCard(item, node, this.#cardContext());
        if (this.firstCardAt === null) {
          this.firstCardAt = performance.now();
        }
      },
      onPausedChange: (paused, count) => {
        this.pill.hidden = !paused || count === 0;
        this.pill.textContent = `${count} new event${count === 1 ? '' : 's'} ↓`;
      },
    });
    this.#renderHeader();
    this.#publish();
  }

  /** Applies delivered events and redraws what changed (once per frame). */
  apply(events) {
    const started = performance.now();
    // Unfiltered, the view is the model's own array: take its length before the model grows it.
    const before = this.view.length;
    const appended = this.feed.apply(events);
    this.#refilter();
    this.list.setItems(this.view, Math.max(0, this.view.length - before));
    if (appended || events.length) {
      this.#scheduleHeader();
    }
    if (this.feed.gaps.length) {
      const gap = this.feed.gaps[this.feed.gaps.length - 1];
      this.#showNotice(
        `Events ${gap.from}–${gap.to} were not delivered (no longer retained live); the archive has them.`,
      );
    }
    this.#publish();
    this.lastApplyAt = performance.now();
    this.applyMs += this.lastApplyAt - started;
  }

  /** Milliseconds of main-thread time spent applying events and laying out cards. */
  cpuMs() {
    return this.applyMs + this.list.layoutMs;
  }

  /** Starts over (replay seeking backwards). */
  reset() {
    this.feed = new SessionFeed(this.sessionId);
    this.view = [];
    this.expanded.clear();
    this.list.heights.clear();
    this.list.validUpTo = 0;
    this.list.setItems(this.view);
    this.#renderHeader();
    this.#publish();
  }

  setStats(stats) {
    this.stats = stats;
    this.#scheduleHeader();
  }

  #showNotice(text) {
    this.notice.textContent = text;
    this.notice.hidden = false;
  }

  #refilter() {
    const query = this.query.trim().toLowerCase();
    if (this.category === 'all' && !query) {
      this.view = this.feed.items;
    } else {
      this.view = this.feed.items.filter((item) => matches(item, this.category, query));
    }
  }

  #cardContext() {
    return {
      expanded: this.expanded,
      toggle: (key) => {
        if (this.expanded.has(key)) {
          this.expanded.delete(key);
        } else {
          this.expanded.add(key);
        }
        const item = this.feed.byKey.get(key);
        if (item) {
          item.version++;
          this.list.schedule();
        }
      },
      detail: (eventId) => {
        if (!this.detailCache.has(eventId)) {
          const pending = this.detailSource(eventId);
          pending.catch(() => this.detailCache.delete(eventId));
          this.detailCache.set(eventId, pending);
        }
        return this.detailCache.get(eventId);
      },
    };
  }

  #toolbar(controls) {
    const bar = el('div', 'toolbar');
    const group = el('div', 'filters');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Show');
    this.filterButtons = new Map();
    for (const category of ['all', ...CATEGORIES]) {
      const button = el('button', 'chip', FILTER_LABELS[category]);
      button.type = 'button';
      button.dataset.category = category;
      button.setAttribute('aria-pressed', String(category === this.category));
      button.addEventListener('click', () => this.#setCategory(category));
      group.append(button);
      this.filterButtons.set(category, button);
    }
    const searchLabel = el('label', 'search');
    const searchText = el('span', 'visually-hidden', 'Search the feed');
    const search = document.createElement('input');
    search.type = 'search';
    search.placeholder = 'Search (/)';
    search.id = 'feed-search';
    search.addEventListener('input', () => {
      this.query = search.value;
      this.#refilter();
      this.list.setItems(this.view);
    });
    searchLabel.append(searchText, search);
    this.searchInput = search;
    bar.append(group, searchLabel);
    if (controls) {
      bar.append(controls);
    }
    document.addEventListener('keydown', this.#shortcut);
    return bar;
  }

  #shortcut = (event) => {
    if (!this.root.isConnected) {
      document.removeEventListener('keydown', this.#shortcut);
      return;
    }
    if (event.target.closest('input, textarea, select')) {
      if (event.key === 'Escape') {
        event.target.blur();
        this.feedEl.focus();
      }
      return;
    }
    if (event.key === '/') {
      event.preventDefault();
      this.searchInput.focus();
    } else if (event.key === 'e' && !event.ctrlKey && !event.metaKey) {
      this.#setCategory(this.category === 'errors' ? 'all' : 'errors');
    }
  };

  #setCategory(category) {
    this.category = category;
    for (const [name, button] of this.filterButtons) {
      button.setAttribute('aria-pressed', String(name === category));
    }
    this.#refilter();
    this.list.setItems(this.view);
  }

  #scheduleHeader() {
    if (!this.headerFrame) {
      this.headerFrame = requestAnimationFrame(() => {
        this.headerFrame = 0;
        this.#renderHeader();
      });
    }
  }

  #renderHeader() {
    const f = this.feed;
    const s = this.stats || {};
    const status = f.status || s.status || '—';
    const first = f.firstTs || s.firstTs;
    const last = f.lastTs || s.lastTs;
    const toolCalls = Math.max(f.toolCalls, sum(s.tools, 'calls'));
    const failures = Math.max(f.toolFailures, sum(s.tools, 'failures'));
    const files = Math.max(f.files.size, s.files ? Object.keys(s.files).length + (s.filesNotListed || 0) : 0);
    const cost = s.usage && s.usage.costUsd ? s.usage.costUsd : f.costUsd;
    const rows = [
      ['Status', status === 'running' ? 'active' : status, `status status-${status}`],
      ['Agent', f.agentId || s.agentId || '—'],
      ['Started', first ? `${new Date(first).toLocaleDateString()} ${formatTime(first)}` : '—'],
      ['Duration', first && last ? formatDuration(Date.parse(last) - Date.parse(first)) : '—'],
      ['Events', String(Math.max(f.lastSeq, s.lastSeq || 0))],
      ['Tool calls', String(toolCalls)],
      ['Failures', String(failures)],
      ['Files changed', String(files)],
      ['Cost', typeof cost === 'number' ? `$${cost.toFixed(4)}` : '—'],
    ];
    const nodes = [];
    for (const [name, value, className] of rows) {
      const wrap = el('div', 'stat');
      wrap.append(el('dt', null, name), el('dd', className || null, value));
      nodes.push(wrap);
    }
    this.statsEl.replaceChildren(...nodes);
    this.statsEl.dataset.status = status;

    const phases = f.phases.length ? f.phases : s.phases || [];
    const steps = phases.map((p, i) => {
      const li = el('li', i === phases.length - 1 ? 'phase current' : 'phase');
      const next = phases[i + 1];
      const end = next ? next.at : status === 'running' ? null : last;
      li.append(el('span', 'phase-name', p.phase));
      if (end) {
        li.append(el('span', 'phase-time', formatDuration(Date.parse(end) - Date.parse(p.at))));
      }
      if (i === phases.length - 1) {
        li.setAttribute('aria-current', 'step');
      }
      return li;
    });
    this.timelineEl.replaceChildren(...steps);
    this.timelineEl.hidden = steps.length === 0;
    const errors = this.filterButtons.get('errors');
    errors.textContent = f.errorCount ? `Errors (${f.errorCount})` : 'Errors';
  }

  /** Figures for the browser tests and anyone curious, on the feed element and window. */
  #publish() {
    const f = this.feed;
    this.feedEl.dataset.applied = String(f.applied);
    this.feedEl.dataset.lastSeq = String(f.lastSeq);
    this.feedEl.dataset.duplicates = String(f.duplicates);
    this.feedEl.dataset.gaps = String(f.gaps.length);
    this.feedEl.dataset.cards = String(f.items.length);
    window.agentfeedView = this;
  }
}

function sum(map, field) {
  if (!map) {
    return 0;
  }
  let total = 0;
  for (const value of Object.values(map)) {
    total += value[field] || 0;
  }
  return total;
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = text;
  }
  return node;
}
