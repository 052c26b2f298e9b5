package decimal

import (
	"math"
	"testing"
)

func TestFloat32(t *testing.T) {
	for _, tt := range []struct {
		in   float32
		want float64
	}{
		{0.7, 0.7},
		{0, 0},
		{1, 1},
		{-0.5, -0.5},
		{0.95, 0.95},
		{40, 40},
		{math.MaxFloat32, 3.4028235e38},
	} {
		if got := Float32(tt.in); got != tt.want {
			t.Errorf("Float32(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := Float32(float32(math.Inf(1))); !math.IsInf(got, 1) {
		t.Errorf("Float32(+Inf) = %v", got)
	}
	if got := Float32(float32(math.NaN())); !math.IsNaN(got) {
		t.Errorf("Float32(NaN) = %v", got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Float32(0.7) }); n != 0 {
		t.Errorf("Float32 allocates %v times", n)
	}
}
