// Package ratelimit limits requests per key (client IP, service) with token
// buckets from golang.org/x/time/rate.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter allows perMinute requests per key per minute, with bursts of up to
// perMinute requests (Rastir counts requests in one-minute windows; a full
// bucket allows the same burst and refills smoothly instead of at the
// window's edge).
type Limiter struct {
	limit   rate.Limit
	burst   int
	maxKeys int

	mu       sync.Mutex
	keys     map[string]*rate.Limiter
	overflow *rate.Limiter
}

// New returns a Limiter that tracks at most maxKeys keys. Keys beyond that
// share one bucket, so a client rotating keys gains nothing.
func New(perMinute, maxKeys int) *Limiter {
	l := &Limiter{
		limit:   rate.Limit(float64(perMinute) / 60),
		burst:   perMinute,
		maxKeys: maxKeys,
		keys:    make(map[string]*rate.Limiter),
	}
	l.overflow = rate.NewLimiter(l.limit, l.burst)
	return l
}

// Allow takes one request for key at now. When the request is over the
// limit it reports how long until the key may send again.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	r, delay := l.Reserve(key, now)
	return r != nil, delay
}

// Reserve is Allow returning the request it took, so that the caller can
// give it back with CancelAt when another limit refuses the request. It is
// nil when the request is over the limit.
//
// A refused request reserves nothing: a reservation made and cancelled
// for it would give back less than it took whenever another request of the
// key was reserved in between, and concurrent refusals then drained the
// bucket for minutes. Requests are taken under l.mu, so a token seen is
// still there when it is taken.
func (l *Limiter) Reserve(key string, now time.Time) (*rate.Reservation, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.limiterFor(key, now)
	if tokens := lim.TokensAt(now); tokens < 1 {
		return nil, time.Duration((1 - tokens) / float64(l.limit) * float64(time.Second))
	}
	return lim.ReserveN(now, 1), 0
}

// limiterFor is the bucket of key; l.mu is held.
func (l *Limiter) limiterFor(key string, now time.Time) *rate.Limiter {
	if lim, ok := l.keys[key]; ok {
		return lim
	}
	if len(l.keys) >= l.maxKeys {
		l.forgetIdle(now)
	}
	if len(l.keys) >= l.maxKeys {
		return l.overflow
	}
	lim := rate.NewLimiter(l.limit, l.burst)
	l.keys[key] = lim
	return lim
}

// forgetIdle drops keys whose bucket is full again: forgetting them changes
// nothing for their next request.
func (l *Limiter) forgetIdle(now time.Time) {
	for k, lim := range l.keys {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.keys, k)
		}
	}
}

// Len is the number of keys tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// RetryAfterSeconds rounds a delay up to the whole seconds of an HTTP
// Retry-After header (at least 1).
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
