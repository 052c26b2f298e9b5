package rastirbedrock

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawFrame is an event-stream message of the given header bytes and
// payload with correct lengths and CRCs.
func rawFrame(headers, payload []byte) []byte {
	total := 16 + len(headers) + len(payload)
	b := binary.BigEndian.AppendUint32(nil, uint32(total))
	b = binary.BigEndian.AppendUint32(b, uint32(len(headers)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	b = append(append(b, headers...), payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// TestParseFrame: the tap's decoding of the frames the SDK's encoder
// writes, with headers of every type, and of malformed ones.
func TestParseFrame(t *testing.T) {
	var h eventstream.Headers
	h.Set("flag", eventstream.BoolValue(true))
	h.Set("off", eventstream.BoolValue(false))
	h.Set("b", eventstream.Int8Value(-3))
	h.Set("s", eventstream.Int16Value(300))
	h.Set("i", eventstream.Int32Value(70000))
	h.Set("l", eventstream.Int64Value(1<<40))
	h.Set("raw", eventstream.BytesValue([]byte{1, 2, 3}))
	h.Set("ts", eventstream.TimestampValue(time.Unix(1700000000, 0)))
	h.Set("id", eventstream.UUIDValue{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	h.Set(headerMessageType, eventstream.StringValue(messageTypeExcept))
	h.Set(headerEventType, eventstream.StringValue(eventChunk))
	h.Set(headerExceptionType, eventstream.StringValue("validationException"))
	h.Set(headerErrorCode, eventstream.StringValue("InternalFailure"))
	h.Set(headerErrorMessage, eventstream.StringValue("failed"))
	var buf bytes.Buffer
	require.NoError(t, eventstream.NewEncoder().Encode(&buf, eventstream.Message{Headers: h, Payload: []byte(`{"message":"bad"}`)}))
	enc := buf.Bytes()

	f, ok := parseFrame(enc)
	require.True(t, ok)
	assert.Equal(t, messageTypeExcept, string(f.messageType))
	assert.Equal(t, eventChunk, string(f.eventType))
	assert.Equal(t, "validationException", string(f.exceptionType))
	assert.Equal(t, "InternalFailure", string(f.errorCode))
	assert.Equal(t, "failed", string(f.errorMessage))
	assert.Equal(t, `{"message":"bad"}`, string(f.payload))

	for i := range enc {
		bad := bytes.Clone(enc)
		bad[i] ^= 0x40
		_, ok := parseFrame(bad)
		assert.False(t, ok, "byte %d changed", i)
	}
	_, ok = parseFrame(enc[:len(enc)-1])
	assert.False(t, ok, "shorter than its length")
	_, ok = parseFrame(enc[:15])
	assert.False(t, ok)

	f, ok = parseFrame(rawFrame(nil, nil))
	assert.True(t, ok, "no headers, no payload")
	assert.Empty(t, f.payload)
	for name, headers := range map[string][]byte{
		"name past the end":       {9, 'a'},
		"no type":                 {1, 'a'},
		"unknown type":            {1, 'a', 10},
		"string without length":   {1, 'a', headerString, 0},
		"string past the end":     {1, 'a', headerString, 0, 5, 'x'},
		"long past the end":       {1, 'a', headerLong, 0, 0, 0},
		"bytes past the end":      {1, 'a', headerBytes, 0, 2, 'x'},
		"uuid past the end":       {1, 'a', headerUUID, 1, 2},
		"headers longer than all": nil,
	} {
		b := rawFrame(headers, []byte("{}"))
		if headers == nil {
			// Headers length past the message, CRCs correct.
			binary.BigEndian.PutUint32(b[4:], 100)
			binary.BigEndian.PutUint32(b[8:], crc32.ChecksumIEEE(b[:8]))
			binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		}
		_, ok := parseFrame(b)
		assert.False(t, ok, name)
	}
}
