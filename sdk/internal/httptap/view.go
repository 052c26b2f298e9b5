package httptap

import "unsafe"

// View returns b as a string without copying, for reading JSON out of a
// buffer that is reused: what the caller keeps from it must be cloned.
func View(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
