package queue

import (
	"testing"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// BenchmarkAdd is the emitter's cost per event, sealing (and fsyncing) a
// segment every 500 events and acknowledging as it goes.
func BenchmarkAdd(b *testing.B) {
	q, err := Open(Config{Dir: b.TempDir(), MaxBytes: 64 << 20, BatchEvents: 500})
	if err != nil {
		b.Fatal(err)
	}
	row := map[string]any{"ActionType": "ProcessCreated", "FileName": "bash", "FolderPath": "/usr/bin/bash",
		"ProcessCommandLine": "bash -c 'echo hello'", "ProcessId": 4242, "InitiatingProcessFileName": "sshd"}
	b.ReportAllocs()
	for b.Loop() {
		if err := q.Add(agentproto.Event{Table: "DeviceProcessEvents", Row: row}); err != nil {
			b.Fatal(err)
		}
		if st := q.Stats(); st.Batches > 4 {
			if batch, ok, _ := q.Next(); ok {
				q.Ack(batch.Seq)
			}
		}
	}
}
