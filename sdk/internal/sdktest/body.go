package sdktest

import "errors"

// BlockedBody is a response body whose Read waits until Close, then fails,
// as a network body does when the caller closes it while another goroutine
// reads it. Close returns once the reader has called ReadReturned, so a
// test sees what the failed Read did before Close goes on.
type BlockedBody struct {
	reading, closed, readReturned chan struct{}
}

// NewBlockedBody returns a BlockedBody.
func NewBlockedBody() *BlockedBody {
	return &BlockedBody{reading: make(chan struct{}), closed: make(chan struct{}), readReturned: make(chan struct{})}
}

// Read waits for Close and fails.
func (b *BlockedBody) Read([]byte) (int, error) {
	close(b.reading)
	<-b.closed
	return 0, errors.New("read on closed body")
}

// Close unblocks Read and waits until its caller has called ReadReturned.
func (b *BlockedBody) Close() error {
	close(b.closed)
	<-b.readReturned
	return nil
}

// Reading returns a channel closed once Read is waiting.
func (b *BlockedBody) Reading() <-chan struct{} { return b.reading }

// ReadReturned tells Close that the reader's Read has returned.
func (b *BlockedBody) ReadReturned() { close(b.readReturned) }
