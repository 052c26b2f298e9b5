package rastirjson

import "unsafe"

// unsafeString views b as a string without copying. Only for values that
// do not outlive the parse.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
