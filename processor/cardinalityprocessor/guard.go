package cardinalityprocessor

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// dimension is one admitted set of values (collector spec §3.2.2), safe for
// concurrent use. Lookups read an immutable snapshot of the set without a
// lock, an atomic write or an allocation. The authoritative set is behind
// a mutex: a value not in the snapshot is looked up or admitted there
// (admission copies the value), and the snapshot is republished once the
// lookups that missed it reach the size of the set, so that republishing
// costs O(1) per miss.
type dimension struct {
	name     string
	max      int
	overflow string
	// aliases maps a value to the value whose slot it takes (nil when
	// there are none).
	aliases map[string]string
	// window and touch are in nanoseconds; window 0 means admitted values
	// never age out. A hit refreshes a value's last-seen time only when it
	// is older than touch (window/16), so that hits rarely write.
	window int64
	touch  int64

	// snapshot is a read-only copy of seen as of the last publication.
	snapshot atomic.Pointer[map[string]*atomic.Int64]
	// count is len(seen), readable without the lock.
	count atomic.Int64
	// nextSweep is the earliest time (ns) at which an admitted value can
	// have aged out; 0 when nothing is admitted.
	nextSweep atomic.Int64

	mu sync.Mutex
	// seen maps an admitted value to its last-seen time (nil when window
	// is 0).
	seen map[string]*atomic.Int64
	// misses counts lookups that missed the snapshot since it was
	// published.
	misses int

	// overflows counts replacements not yet reported to telemetry.
	overflows atomic.Int64
}

func newDimension(name string, maxValues int, overflow string, window int64, aliases map[string]string) *dimension {
	if len(aliases) == 0 {
		aliases = nil
	}
	d := &dimension{
		name:     name,
		max:      maxValues,
		overflow: overflow,
		aliases:  aliases,
		window:   window,
		touch:    window / 16,
		seen:     make(map[string]*atomic.Int64),
	}
	d.publish()
	return d
}

// guard returns v if it is admitted (admitting it if there is room) and
// the overflow value otherwise; now is the batch time in nanoseconds (only
// read when the dimension has a window). The overflow value itself passes
// unchanged and is never admitted. The empty string passes too and takes
// no slot: it is the label of a missing attribute (and, in Prometheus, no
// label at all). An alias is admitted as the value it stands for and
// passes as itself.
func (d *dimension) guard(v string, now int64) string {
	if v == d.overflow || v == "" {
		return v
	}
	if d.aliases != nil {
		if slot, ok := d.aliases[v]; ok {
			if d.guardSlot(slot, now) == d.overflow {
				return d.overflow
			}
			return v
		}
	}
	return d.guardSlot(v, now)
}

// guardSlot is guard for a value that is no alias.
func (d *dimension) guardSlot(v string, now int64) string {
	snap := *d.snapshot.Load()
	if last, ok := snap[v]; ok {
		d.refresh(last, now)
		return v
	}
	// A full snapshot is the whole set: v is not admitted and there is no
	// room (unless values may have aged out).
	if len(snap) >= d.max && (d.window == 0 || now < d.nextSweep.Load()) {
		d.overflows.Add(1)
		return d.overflow
	}
	return d.admit(v, now)
}

func (d *dimension) refresh(last *atomic.Int64, now int64) {
	if last != nil && now-last.Load() > d.touch {
		last.Store(now)
	}
}

func (d *dimension) admit(v string, now int64) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if last, ok := d.seen[v]; ok {
		d.refresh(last, now)
		d.missed()
		return v
	}
	if len(d.seen) >= d.max && d.window > 0 && now >= d.nextSweep.Load() {
		if d.sweep(now) {
			// The snapshot must not keep freed values admitted.
			d.publish()
		}
	}
	if len(d.seen) >= d.max {
		d.overflows.Add(1)
		d.missed()
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
	d.count.Store(int64(len(d.seen)))
	d.missed()
	return v
}

// missed counts a lookup that the snapshot could not answer and
// republishes the snapshot when such lookups reach the size of the set.
// Called with the lock held.
func (d *dimension) missed() {
	d.misses++
	if d.misses >= len(d.seen) {
		d.publish()
	}
}

// publish replaces the snapshot by a copy of seen. Called with the lock
// held (or before the dimension is shared).
func (d *dimension) publish() {
	m := make(map[string]*atomic.Int64, len(d.seen))
	for v, last := range d.seen {
		m[v] = last
	}
	d.snapshot.Store(&m)
	d.misses = 0
}

// sweep frees the slots of values not seen for longer than the window (plus
// the touch granularity, so a value is never freed early), sets the next
// time a sweep can free anything and reports whether it freed a slot.
// Called with the lock held.
func (d *dimension) sweep(now int64) bool {
	cutoff := now - d.window - d.touch
	oldest, kept, freed := int64(0), false, false
	for v, last := range d.seen {
		t := last.Load()
		if t < cutoff {
			delete(d.seen, v)
			freed = true
			continue
		}
		if !kept || t < oldest {
			oldest, kept = t, true
		}
	}
	d.count.Store(int64(len(d.seen)))
	if !kept {
		d.nextSweep.Store(0)
		return freed
	}
	d.nextSweep.Store(oldest + d.window + d.touch)
	return freed
}

// size returns the number of admitted values.
func (d *dimension) size() int {
	return int(d.count.Load())
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
