package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuSample is a snapshot of CPU time counters, in clock ticks: the whole
// machine's (/proc/stat) and two processes' (/proc/<pid>/stat).
type cpuSample struct {
	at        time.Time
	total     uint64 // every state of every CPU
	idle      uint64 // idle and iowait of every CPU
	collector uint64 // user+system of the collector
	self      uint64 // user+system of the load generator
}

// cpuUse is where the CPU time of an interval went, in cores (CPU seconds
// per second).
type cpuUse struct {
	collector, loadgen, other float64
}

// sampleCPU reads the counters; pid 0 skips the collector.
func sampleCPU(pid int) (cpuSample, error) {
	s := cpuSample{at: time.Now()}
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, err
	}
	if s.total, s.idle, err = parseProcStat(string(raw)); err != nil {
		return s, err
	}
	if s.self, err = processTicks("self"); err != nil {
		return s, err
	}
	if pid > 0 {
		if s.collector, err = processTicks(strconv.Itoa(pid)); err != nil {
			return s, err
		}
	}
	return s, nil
}

// parseProcStat sums the aggregate "cpu" line of /proc/stat: user nice
// system idle iowait irq softirq steal (guest time is already in user).
func parseProcStat(stat string) (total, idle uint64, err error) {
	line, _, _ := strings.Cut(stat, "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, 0, fmt.Errorf("unexpected /proc/stat line %q", line)
	}
	for i, f := range fields[1:9] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: %w", err)
		}
		total += v
		if i == 3 || i == 4 {
			idle += v
		}
	}
	return total, idle, nil
}

// processTicks is utime+stime of /proc/<pid>/stat.
func processTicks(pid string) (uint64, error) {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	return parsePidStat(string(raw))
}

// parsePidStat reads utime and stime (fields 14 and 15) of a
// /proc/<pid>/stat line; the command name, field 2, may hold spaces and
// parentheses, so fields are counted from its closing parenthesis.
func parsePidStat(stat string) (uint64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc/<pid>/stat")
	}
	fields := strings.Fields(stat[i+1:])
	// fields[0] is field 3 (state), so field n is fields[n-3].
	if len(fields) < 13 {
		return 0, errors.New("short /proc/<pid>/stat")
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return utime + stime, nil
}

// cpuBetween is the CPU use from a to b, in cores, given ncpu CPUs.
func cpuBetween(a, b cpuSample, ncpu int) cpuUse {
	dTotal := float64(b.total - a.total)
	if dTotal <= 0 {
		return cpuUse{}
	}
	perCore := dTotal / float64(ncpu) // ticks in the interval, per CPU
	busy := float64((b.total - b.idle) - (a.total - a.idle))
	u := cpuUse{
		collector: float64(b.collector-a.collector) / perCore,
		loadgen:   float64(b.self-a.self) / perCore,
	}
	u.other = max(busy/perCore-u.collector-u.loadgen, 0)
	return u
}

func (u cpuUse) String() string {
	return fmt.Sprintf("CPU: collector %.2f, load generator %.2f, other processes %.2f cores", u.collector, u.loadgen, u.other)
}
