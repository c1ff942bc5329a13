// A list that keeps only the cards near the viewport in the DOM, so a session of 10,000+ events
// scrolls and streams as smoothly as a short one. Heights are measured once a card is rendered
// (estimated before), offsets are recomputed once per frame, and rendering is coalesced into one
// requestAnimationFrame however many events arrive in between.
//
// It follows the end of the feed while the user is at the bottom; once they scroll up it stays
// put and counts what arrived below ("N new events").

const OVERSCAN_PX = 600;
const BOTTOM_SLACK_PX = 48;

export class VirtualList {
  /**
   * `render(item, element)` fills a card element; `onPausedChange(paused, newCount)` reports the
   * follow state for the "N new events" pill.
   */
  constructor(scroller, { render, estimate = 72, onPausedChange = () => {}, label = 'Events' }) {
    this.scroller = scroller;
    this.render = render;
    this.estimate = estimate;
    this.onPausedChange = onPausedChange;
    this.items = [];
    this.heights = new Map();
    this.offsets = new Float64Array(1024);
    this.validUpTo = 0;
    this.total = 0;
    this.rendered = new Map();
    this.following = true;
    this.newCount = 0;
    this.frame = 0;
    this.focusKey = null;
    this.lastLayoutAt = 0;
    this.layoutMs = 0;

    scroller.classList.add('vlist');
    scroller.setAttribute('role', 'feed');
    scroller.setAttribute('aria-label', label);
    scroller.tabIndex = 0;
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    scroller.append(this.spacer);
    this.resizes = new ResizeObserver(() => this.schedule());
    this.resizes.observe(scroller);
    scroller.addEventListener('scroll', () => this.#onScroll(), { passive: true });
    scroller.addEventListener('keydown', (e) => this.#onKey(e));
  }

  /** Replaces the items (a filtered view); `appended` new items arrived at the end. */
  setItems(items, appended = 0) {
    // The unfiltered view is the feed's own array, growing at the end: offsets computed so far
    // stay valid. Any other array (a filter) is laid out from the start.
    if (items !== this.items) {
      this.validUpTo = 0;
    }
    this.items = items;
    if (!this.following && appended > 0) {
      this.newCount += appended;
      this.onPausedChange(true, this.newCount);
    }
    this.schedule();
  }

  schedule() {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.#layout();
      });
    }
  }

  /** Jumps to the end and follows it again. */
  follow() {
    this.following = true;
    this.newCount = 0;
    this.onPausedChange(false, 0);
    this.schedule();
  }

  /** Brings the item at `index` into view and focuses it. */
  focusIndex(index) {
    if (index < 0 || index >= this.items.length) {
      return;
    }
    if (index < this.items.length - 1 && this.following) {
      this.following = false;
      this.onPausedChange(true, this.newCount);
    }
    this.#computeOffsets();
    const top = this.offsets[index];
    const height = this.#height(this.items[index]);
    const view = this.scroller.clientHeight;
    if (top < this.scroller.scrollTop || top + height > this.scroller.scrollTop + view) {
      this.#scrollTo(Math.max(0, top - view / 3));
    }
    this.focusKey = this.items[index].key;
    this.#layout();
    this.rendered.get(this.focusKey)?.el.focus({ preventScroll: true });
  }

  #height(item) {
    return this.heights.get(item.key) ?? this.estimate;
  }

  /** Offsets from the first item whose height or position may have changed to the end. */
  #computeOffsets() {
    const n = this.items.length;
    if (this.offsets.length < n + 1) {
      const grown = new Float64Array(Math.max(n + 1, this.offsets.length * 2, 1024));
      grown.set(this.offsets);
      this.offsets = grown;
    }
    const from = Math.min(this.validUpTo, n);
    let y = this.offsets[from];
    for (let i = from; i < n; i++) {
      this.offsets[i] = y;
      y += this.#height(this.items[i]);
    }
    this.offsets[n] = y;
    this.total = y;
    this.validUpTo = n;
  }

  #firstIndexAt(y) {
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= y) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return Math.max(0, lo);
  }

  #scrollTo(top) {
    this.scroller.scrollTop = top;
  }

  /**
   * Follows when the viewport is at the end, whoever scrolled: the list's own scrolls while
   * following end at the bottom, and its other scrolls happen only when not following.
   */
  #onScroll() {
    const atBottom =
      this.scroller.scrollTop + this.scroller.clientHeight >= this.total - BOTTOM_SLACK_PX;
    if (atBottom !== this.following) {
      this.following = atBottom;
      if (atBottom) {
        this.newCount = 0;
      }
      this.onPausedChange(!atBottom, this.newCount);
    }
    this.schedule();
  }

  #layout() {
    const started = performance.now();
    for (let pass = 0; pass < 3; pass++) {
      if (!this.#renderWindow()) {
        break;
      }
    }
    this.lastLayoutAt = performance.now();
    this.layoutMs += this.lastLayoutAt - started;
  }

  /** Renders the cards around the viewport; true when a measured height changed. */
  #renderWindow() {
    this.#computeOffsets();
    this.spacer.style.height = `${this.total}px`;
    const view = this.scroller.clientHeight;
    if (this.following) {
      this.#scrollTo(Math.max(0, this.total - view));
    }
    const top = this.scroller.scrollTop;
    const n = this.items.length;
    const first = n ? this.#firstIndexAt(Math.max(0, top - OVERSCAN_PX)) : 0;
    const keep = new Set();
    const fresh = [];
    for (let i = first; i < n && this.offsets[i] < top + view + OVERSCAN_PX; i++) {
      const item = this.items[i];
      keep.add(item.key);
      let entry = this.rendered.get(item.key);
      if (!entry) {
        const el = document.createElement('article');
        el.className = 'card';
        el.tabIndex = -1;
        entry = { el, version: -1 };
        this.rendered.set(item.key, entry);
        this.scroller.append(el);
        this.resizes.observe(el);
      }
      if (entry.version !== item.version) {
        // Re-rendering replaces the card's children: keep keyboard focus on its button.
        const active = document.activeElement;
        const focusInside = active !== entry.el && entry.el.contains(active);
        this.render(item, entry.el);
        if (focusInside) {
          (entry.el.querySelector('button.expand') || entry.el).focus({ preventScroll: true });
        }
        entry.version = item.version;
        fresh.push(item);
      }
      entry.el.setAttribute('aria-posinset', String(i + 1));
      entry.el.setAttribute('aria-setsize', String(n));
      entry.el.dataset.index = String(i);
      entry.el.style.transform = `translateY(${this.offsets[i]}px)`;
    }
    for (const [key, entry] of this.rendered) {
      if (!keep.has(key) && key !== this.focusKey) {
        this.resizes.unobserve(entry.el);
        entry.el.remove();
        this.rendered.delete(key);
      }
    }
    // Measure after all writes: one layout for the whole window.
    let changed = false;
    const anchorIndex = n ? this.#firstIndexAt(top) : 0;
    const anchorShift = n ? this.offsets[anchorIndex] - top : 0;
    for (const key of keep) {
      const entry = this.rendered.get(key);
      const h = entry.el.offsetHeight;
      if (h && h !== this.heights.get(key)) {
        this.heights.set(key, h);
        this.validUpTo = Math.min(this.validUpTo, Number(entry.el.dataset.index));
        changed = true;
      }
    }
    if (changed && !this.following && n) {
      // Keep the card at the top of the viewport where it was when cards above change height.
      this.#computeOffsets();
      this.spacer.style.height = `${this.total}px`;
      const target = this.offsets[anchorIndex] - anchorShift;
      if (Math.abs(target - this.scroller.scrollTop) > 1) {
        this.#scrollTo(target);
      }
    }
    return changed;
  }

  #onKey(event) {
    if (event.target.closest('input, textarea, select')) {
      return;
    }
    const current = event.target.closest('article.card');
    const index = current ? Number(current.dataset.index) : -1;
    if (event.key === 'Enter' && current && event.target === current) {
      // Enter on a focused card expands (or collapses) it, as its button would.
      current.querySelector('button.expand')?.click();
      event.preventDefault();
      return;
    }
    let next = null;
    switch (event.key) {
      case 'ArrowDown':
      case 'j':
        next = index + 1;
        break;
      case 'ArrowUp':
      case 'k':
        next = index < 0 ? this.items.length - 1 : index - 1;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = this.items.length - 1;
        break;
      case 'PageDown':
        next = index + 10;
        break;
      case 'PageUp':
        next = index - 10;
        break;
      default:
        return;
    }
    if (event.target.closest('button, a, pre') && !['ArrowDown', 'ArrowUp'].includes(event.key)) {
      return;
    }
    event.preventDefault();
    const clamped = Math.max(0, Math.min(this.items.length - 1, next));
    if (clamped >= this.items.length - 1 && event.key === 'End') {
      this.follow();
    }
    this.focusIndex(clamped);
  }
}
