package ratelimit

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestLimiterAllowsPerMinuteThenRefuses(t *testing.T) {
	l := New(3, 10)
	now := time.Unix(1000, 0)
	for i := range 3 {
		if ok, _ := l.Allow("10.0.0.1", now); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
	ok, delay := l.Allow("10.0.0.1", now)
	if ok {
		t.Fatal("fourth request in the same instant allowed")
	}
	// 3 per minute refill one token every 20 s.
	if delay != 20*time.Second || RetryAfterSeconds(delay) != 20 {
		t.Fatalf("delay %s", delay)
	}
	if ok, _ := l.Allow("10.0.0.2", now); !ok {
		t.Fatal("another key shares the bucket")
	}
	if ok, _ := l.Allow("10.0.0.1", now.Add(20*time.Second)); !ok {
		t.Fatal("not refilled after the delay")
	}
}

func TestLimiterBoundsKeys(t *testing.T) {
	l := New(1, 2)
	now := time.Unix(1000, 0)
	l.Allow("a", now)
	l.Allow("b", now)
	// Both buckets are empty, so neither can be forgotten: "c" and "d"
	// share the overflow bucket.
	if ok, _ := l.Allow("c", now); !ok {
		t.Fatal("overflow bucket should allow its first request")
	}
	if ok, _ := l.Allow("d", now); ok {
		t.Fatal("keys beyond the bound must share one bucket")
	}
	if l.Len() != 2 {
		t.Fatalf("tracked %d keys", l.Len())
	}
	// A minute later a and b are idle and make room.
	if ok, _ := l.Allow("e", now.Add(time.Minute)); !ok {
		t.Fatal("idle keys were not forgotten")
	}
	if l.Len() != 1 {
		t.Fatalf("tracked %d keys after forgetting idle ones", l.Len())
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for d, want := range map[time.Duration]int{0: 1, time.Millisecond: 1, 1500 * time.Millisecond: 2, 3 * time.Second: 3} {
		if got := RetryAfterSeconds(d); got != want {
			t.Errorf("%s: %d, want %d", d, got, want)
		}
	}
}

// TestConcurrentRefusalsUseNoQuota: requests refused at the same time by
// several goroutines (clients behind one address, or the pods of one
// service) take nothing from the bucket, so the key may send again once
// the delay it was told has passed.
func TestConcurrentRefusalsUseNoQuota(t *testing.T) {
	l := New(60, 10)
	now := time.Unix(1000, 0)
	for i := range 60 {
		if ok, _ := l.Allow("k", now); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	var wg sync.WaitGroup
	for range 4 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5000 {
				if ok, _ := l.Allow("k", now); ok {
					t.Error("a request over the limit was allowed")
					return
				}
			}
		}()
	}
	wg.Wait()
	if ok, delay := l.Allow("k", now.Add(time.Second)); !ok {
		t.Fatalf("60 per minute refill one request a second, but the key must wait %s more", delay)
	}
}

// TestGivenBackAfterARefusal: a request the service limit refuses gives its
// IP token back in full, even when another request from the same address
// was refused by the IP limit in the meantime.
func TestGivenBackAfterARefusal(t *testing.T) {
	l := New(60, 10)
	start := time.Unix(1000, 0)
	for range 60 {
		l.Allow("ip", start)
	}
	// 1.5 s later the bucket holds 1.5 tokens.
	now := start.Add(1500 * time.Millisecond)
	taken, _ := l.Reserve("ip", now) // its service is then refused...
	if taken == nil {
		t.Fatal("first request refused")
	}
	if ok, _ := l.Allow("ip", now); ok { // ...while another one comes in
		t.Fatal("a request over the limit was allowed")
	}
	taken.CancelAt(now)
	if ok, _ := l.Allow("ip", now); !ok {
		t.Fatal("the token given back is missing")
	}
	if ok, delay := l.Allow("ip", now.Add(500*time.Millisecond)); !ok {
		t.Fatalf("half a token was lost: the key must wait %s more", delay)
	}
}
