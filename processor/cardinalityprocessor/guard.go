package cardinalityprocessor

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// dimension is one admitted set of values (collector spec §3.2.2), safe for
// concurrent use. A lookup of an admitted value takes a read lock and does
// not allocate; only admitting a new value takes the write lock and copies
// the value.
type dimension struct {
	name     string
	max      int
	overflow string
	// window and touch are in nanoseconds; window 0 means admitted values
	// never age out. A hit refreshes a value's last-seen time only when it
	// is older than touch (window/16), so that hits rarely write.
	window int64
	touch  int64

	mu sync.RWMutex
	// seen maps an admitted value to its last-seen time (nil when window
	// is 0).
	seen map[string]*atomic.Int64
	// nextSweep is the earliest time (ns) at which an admitted value can
	// have aged out; 0 when nothing is admitted.
	nextSweep atomic.Int64

	// overflows counts replacements not yet reported to telemetry.
	overflows atomic.Int64
}

func newDimension(name string, maxValues int, overflow string, window int64) *dimension {
	return &dimension{
		name:     name,
		max:      maxValues,
		overflow: overflow,
		window:   window,
		touch:    window / 16,
		seen:     make(map[string]*atomic.Int64),
	}
}

// guard returns v if it is admitted (admitting it if there is room) and
// the overflow value otherwise; now is the batch time in nanoseconds (only
// read when the dimension has a window). The overflow value itself passes
// unchanged and is never admitted.
func (d *dimension) guard(v string, now int64) string {
	if v == d.overflow {
		return v
	}
	d.mu.RLock()
	last, ok := d.seen[v]
	n := len(d.seen)
	d.mu.RUnlock()
	if ok {
		if last != nil && now-last.Load() > d.touch {
			last.Store(now)
		}
		return v
	}
	if n >= d.max && (d.window == 0 || now < d.nextSweep.Load()) {
		d.overflows.Add(1)
		return d.overflow
	}
	return d.admit(v, now)
}

func (d *dimension) admit(v string, now int64) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if last, ok := d.seen[v]; ok {
		if last != nil {
			last.Store(now)
		}
		return v
	}
	if len(d.seen) >= d.max && d.window > 0 && now >= d.nextSweep.Load() {
		d.sweep(now)
	}
	if len(d.seen) >= d.max {
		d.overflows.Add(1)
		return d.overflow
	}
	// The value may be a substring of a large pdata string (a clipped
	// value) or of a request buffer: keep a copy of its own.
	v = strings.Clone(v)
	var last *atomic.Int64
	if d.window > 0 {
		last = new(atomic.Int64)
		last.Store(now)
		if d.nextSweep.Load() == 0 {
			d.nextSweep.Store(now + d.window + d.touch)
		}
	}
	d.seen[v] = last
	return v
}

// sweep frees the slots of values not seen for longer than the window (plus
// the touch granularity, so a value is never freed early) and sets the
// next time a sweep can free anything. Called with the write lock held.
func (d *dimension) sweep(now int64) {
	cutoff := now - d.window - d.touch
	oldest, kept := int64(0), false
	for v, last := range d.seen {
		t := last.Load()
		if t < cutoff {
			delete(d.seen, v)
			continue
		}
		if !kept || t < oldest {
			oldest, kept = t, true
		}
	}
	if !kept {
		d.nextSweep.Store(0)
		return
	}
	d.nextSweep.Store(oldest + d.window + d.touch)
}

// size returns the number of admitted values.
func (d *dimension) size() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.seen)
}

// enum is a fixed set of allowed values.
type enum struct {
	name      string
	values    map[string]struct{}
	overflow  string
	overflows atomic.Int64
}

func newEnum(name string, values []string, overflow string) *enum {
	e := &enum{name: name, values: make(map[string]struct{}, len(values)), overflow: overflow}
	for _, v := range values {
		e.values[v] = struct{}{}
	}
	return e
}

// bound returns v if it is one of the enum's values, else the overflow
// value.
func (e *enum) bound(v string) string {
	if _, ok := e.values[v]; ok || v == e.overflow {
		return v
	}
	e.overflows.Add(1)
	return e.overflow
}

// clip returns the first maxRunes characters of s (0: s unchanged). An
// invalid UTF-8 byte counts as one character, as range over a string does.
func clip(s string, maxRunes int) string {
	if maxRunes <= 0 || len(s) <= maxRunes {
		return s // a string of n bytes has at most n runes
	}
	n := 0
	for i := 0; i < len(s); {
		if n == maxRunes {
			return s[:i]
		}
		if s[i] < utf8.RuneSelf {
			i++
		} else {
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
		}
		n++
	}
	return s
}
