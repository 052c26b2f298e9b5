package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// collectorProc is one collector process started by compare.
type collectorProc struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
}

// startCollector runs bin on config with extra environment variables,
// writing its output to logPath.
func startCollector(bin, config string, env []string, logPath string) (*collectorProc, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--config", config)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	c := &collectorProc{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		c.waitErr = cmd.Wait()
		logFile.Close()
		close(c.done)
	}()
	return c, nil
}

func (c *collectorProc) pid() int { return c.cmd.Process.Pid }

// waitListening waits until every addr accepts TCP connections. The
// collector starts its receivers last, so a listening receiver means a
// running pipeline.
func (c *collectorProc) waitListening(timeout time.Duration, addrs ...string) error {
	deadline := time.Now().Add(timeout)
	for _, addr := range addrs {
		for {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				conn.Close()
				break
			}
			select {
			case <-c.done:
				return fmt.Errorf("collector exited during start-up (%w):\n%s", c.waitErr, c.logTail(30))
			default:
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s not listening after %s:\n%s", addr, timeout, c.logTail(30))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

// exited reports an early exit as an error.
func (c *collectorProc) exited() error {
	select {
	case <-c.done:
		return fmt.Errorf("collector exited (%w):\n%s", c.waitErr, c.logTail(30))
	default:
		return nil
	}
}

// stop sends SIGTERM, the collector's graceful shutdown, and kills the
// process if it has not exited after 30 s.
func (c *collectorProc) stop() error {
	select {
	case <-c.done:
		return nil
	default:
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-c.done:
		return nil
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return errors.New("collector did not stop within 30 s of SIGTERM; killed")
	}
}

// logTail is the last n lines of the collector's output.
func (c *collectorProc) logTail(n int) string {
	b, err := os.ReadFile(c.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(string(bytes.TrimRight(b, "\n")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// freePorts asks the kernel for n distinct ports nobody listens on.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func hostPort(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }
