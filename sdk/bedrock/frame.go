package rastirbedrock

import (
	"encoding/binary"
	"hash/crc32"
)

// frame is what the tap reads of an event-stream message: the headers it
// needs and the payload, slices of the message's bytes.
type frame struct {
	messageType, eventType, exceptionType, errorCode, errorMessage []byte
	payload                                                        []byte
}

// The event-stream header value types and the sizes of the fixed ones.
const (
	headerBoolTrue  = 0
	headerBoolFalse = 1
	headerByte      = 2
	headerShort     = 3
	headerInt       = 4
	headerLong      = 5
	headerBytes     = 6
	headerString    = 7
	headerTimestamp = 8
	headerUUID      = 9
)

// parseFrame decodes one whole event-stream message (total length, headers
// length, prelude CRC, headers, payload, message CRC; CRC-32 IEEE) in
// place, without allocating; ok is false for a malformed message.
func parseFrame(b []byte) (f frame, ok bool) {
	if len(b) < 16 || uint64(binary.BigEndian.Uint32(b)) != uint64(len(b)) {
		return f, false
	}
	hlen := binary.BigEndian.Uint32(b[4:])
	if uint64(hlen) > uint64(len(b)-16) ||
		crc32.ChecksumIEEE(b[:8]) != binary.BigEndian.Uint32(b[8:]) ||
		crc32.ChecksumIEEE(b[:len(b)-4]) != binary.BigEndian.Uint32(b[len(b)-4:]) {
		return f, false
	}
	h := b[12 : 12+hlen]
	f.payload = b[12+hlen : len(b)-4]
	for len(h) > 0 {
		nameLen := int(h[0])
		if len(h) < 2+nameLen {
			return f, false
		}
		name, typ := h[1:1+nameLen], h[1+nameLen]
		h = h[2+nameLen:]
		var n int
		switch typ {
		case headerBoolTrue, headerBoolFalse:
		case headerByte:
			n = 1
		case headerShort:
			n = 2
		case headerInt:
			n = 4
		case headerLong, headerTimestamp:
			n = 8
		case headerUUID:
			n = 16
		case headerBytes, headerString:
			if len(h) < 2 {
				return f, false
			}
			n = 2 + int(binary.BigEndian.Uint16(h))
		default:
			return f, false
		}
		if len(h) < n {
			return f, false
		}
		if typ == headerString {
			v := h[2:n]
			switch string(name) {
			case headerMessageType:
				f.messageType = v
			case headerEventType:
				f.eventType = v
			case headerExceptionType:
				f.exceptionType = v
			case headerErrorCode:
				f.errorCode = v
			case headerErrorMessage:
				f.errorMessage = v
			}
		}
		h = h[n:]
	}
	return f, true
}
