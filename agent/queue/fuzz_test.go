package queue

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// FuzzDecodeSegment: the decoder never panics, and what it accepts
// re-encodes to the same bytes.
func FuzzDecodeSegment(f *testing.F) {
	b, _ := json.Marshal(agentproto.EventBatch{Seq: 7, Events: []agentproto.Event{{Table: "DeviceFileEvents", ReportID: 3, Row: map[string]any{"FileName": "a"}}}})
	f.Add(encodeSegment(b))
	f.Add(encodeSegment([]byte("x"), []byte("")))
	f.Add([]byte("GSQ1"))
	f.Add([]byte("GSQ1\xff\xff\xff\x7f\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := decodeSegment(data)
		if err != nil {
			return
		}
		if again := encodeSegment(recs...); !bytes.Equal(again, data) {
			t.Fatalf("re-encoding %q gave %q", data, again)
		}
		decodeBatch(data)
	})
}
