package queue

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/goshawk-sec/goshawk/agentproto"
)

func open(t *testing.T, dir string, maxBytes int64, batch int) *Queue {
	t.Helper()
	q, err := Open(Config{Dir: dir, MaxBytes: maxBytes, BatchEvents: batch})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return q
}

func event(i int) agentproto.Event {
	return agentproto.Event{Table: "DeviceProcessEvents", Row: map[string]any{"FileName": fmt.Sprintf("p%d", i)}}
}

func add(t *testing.T, q *Queue, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := q.Add(event(i)); err != nil {
			t.Fatalf("Add(%d): %v", i, err)
		}
	}
}

// drain acks every batch and returns the events' file names in order,
// checking that Seq and ReportID increase.
func drain(t *testing.T, q *Queue) []string {
	t.Helper()
	var names []string
	var lastSeq uint64
	var lastID int64
	for {
		b, ok, err := q.Next()
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if !ok {
			return names
		}
		if b.Seq <= lastSeq {
			t.Fatalf("batch seq %d after %d", b.Seq, lastSeq)
		}
		lastSeq = b.Seq
		for _, e := range b.Events {
			if e.ReportID <= lastID {
				t.Fatalf("ReportID %d after %d", e.ReportID, lastID)
			}
			lastID = e.ReportID
			names = append(names, e.Row["FileName"].(string))
		}
		if err := q.Ack(b.Seq); err != nil {
			t.Fatalf("Ack(%d): %v", b.Seq, err)
		}
	}
}

func TestAckRemoves(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, 1<<20, 2)
	add(t, q, 0, 5) // two batches sealed, one pending
	if st := q.Stats(); st.Batches != 2 || st.Pending != 1 {
		t.Fatalf("stats %+v, want 2 batches and 1 pending", st)
	}
	b, ok, err := q.Next()
	if err != nil || !ok || len(b.Events) != 2 {
		t.Fatalf("Next = %+v, %v, %v", b, ok, err)
	}
	if err := q.Ack(b.Seq); err != nil {
		t.Fatal(err)
	}
	b2, _, _ := q.Next()
	if b2.Seq == b.Seq {
		t.Fatalf("acknowledged batch %d still first", b.Seq)
	}
	if err := q.Flush(); err != nil {
		t.Fatal(err)
	}
	got := drain(t, q)
	if want := []string{"p2", "p3", "p4"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("drained %v, want %v", got, want)
	}
	if segs, _ := filepath.Glob(filepath.Join(dir, "*.seg")); len(segs) != 0 {
		t.Errorf("segments left after acking everything: %v", segs)
	}
	if st := q.Stats(); st.Bytes != 0 || st.Batches != 0 {
		t.Errorf("stats after draining: %+v", st)
	}
}

// TestRestart: batches survive a restart, pending events are flushed by
// Close, and a restart never reuses a Seq or ReportID, even after a crash
// (no Close).
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, 1<<20, 3)
	add(t, q, 0, 7)
	first, _, _ := q.Next()
	q.Ack(first.Seq)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	st1 := q.Stats()

	q = open(t, dir, 1<<20, 3)
	if st := q.Stats(); st.NextSeq < st1.NextSeq || st.NextReportID < st1.NextReportID {
		t.Fatalf("counters went back across a restart: %+v then %+v", st1, st)
	}
	add(t, q, 7, 9)
	// Crash: no Close; the 2 pending events are lost, the rest survive.
	st2 := q.Stats()
	q = open(t, dir, 1<<20, 3)
	if st := q.Stats(); st.NextSeq < st2.NextSeq || st.NextReportID < st2.NextReportID {
		t.Fatalf("counters went back across a crash: %+v then %+v", st2, st)
	}
	add(t, q, 9, 10)
	q.Flush()
	got := drain(t, q)
	if want := []string{"p3", "p4", "p5", "p6", "p9"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after restarts drained %v, want %v", got, want)
	}
	b, ok, _ := q.Next()
	if ok {
		t.Errorf("batch %d left", b.Seq)
	}
}

func TestFullDropsOldest(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, 4096, 10)
	add(t, q, 0, 200) // 20 batches of ~800 bytes: far more than 4 KiB
	st := q.Stats()
	if st.Bytes > 4096 {
		t.Errorf("queue holds %d bytes, over its 4096 bound", st.Bytes)
	}
	if st.Dropped == 0 || st.Dropped%10 != 0 {
		t.Fatalf("dropped %d, want a positive multiple of the batch size", st.Dropped)
	}
	got := drain(t, q)
	if int64(len(got))+st.Dropped != 200 {
		t.Errorf("kept %d + dropped %d != 200 added", len(got), st.Dropped)
	}
	if len(got) == 0 || got[len(got)-1] != "p199" || got[0] != fmt.Sprintf("p%d", st.Dropped) {
		t.Errorf("kept %v: want the newest, from p%d to p199", got, st.Dropped)
	}
	q.Close()
	if st := open(t, dir, 4096, 10).Stats(); st.Dropped != 200-int64(len(got)) {
		t.Errorf("dropped count after restart = %d", st.Dropped)
	}
}

// TestCorruptTailSkipped: a torn last segment is counted and skipped,
// the good ones before it are delivered.
func TestCorruptTailSkipped(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, 1<<20, 2)
	add(t, q, 0, 6)
	q.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) != 3 {
		t.Fatalf("segments %v, want 3", segs)
	}
	last := segs[len(segs)-1]
	data, _ := os.ReadFile(last)
	os.WriteFile(last, data[:len(data)-5], 0o600)
	// And garbage in the middle one's checksum.
	mid := segs[1]
	data, _ = os.ReadFile(mid)
	data[9] ^= 0xff
	os.WriteFile(mid, data, 0o600)

	q = open(t, dir, 1<<20, 2)
	got := drain(t, q)
	if want := []string{"p0", "p1"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("drained %v, want %v", got, want)
	}
	if st := q.Stats(); st.Corrupt != 2 || st.Dropped != 4 {
		t.Errorf("corrupt = %d, dropped = %d; want 2 segments, 4 events", st.Corrupt, st.Dropped)
	}
	// The queue carries on.
	add(t, q, 6, 8)
	if got := drain(t, q); len(got) != 2 {
		t.Errorf("after corruption drained %v", got)
	}
}

func TestDamagedCountersRefused(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, 1<<20, 2)
	add(t, q, 0, 2)
	os.WriteFile(filepath.Join(dir, countersFile), []byte(`{"seqHigh":`), 0o600)
	if _, err := Open(Config{Dir: dir, MaxBytes: 1 << 20, BatchEvents: 2}); err == nil {
		t.Error("Open with a torn counters file succeeded; it could reuse sequence numbers")
	}
}

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, 1<<20, 2)
	add(t, q, 0, 4)
	st, err := Inspect(dir)
	if err != nil || st.Batches != 2 || st.Bytes != q.Stats().Bytes {
		t.Errorf("Inspect = %+v, %v; queue says %+v", st, err, q.Stats())
	}
}

func TestSegmentRoundTrip(t *testing.T) {
	for _, payloads := range [][][]byte{{[]byte("a")}, {[]byte("{}"), []byte(""), bytes.Repeat([]byte("x"), 1000)}} {
		got, err := decodeSegment(encodeSegment(payloads...))
		if err != nil || len(got) != len(payloads) {
			t.Fatalf("decode(encode(%d payloads)) = %d, %v", len(payloads), len(got), err)
		}
		for i := range got {
			if !bytes.Equal(got[i], payloads[i]) {
				t.Errorf("payload %d = %q, want %q", i, got[i], payloads[i])
			}
		}
	}
	for _, bad := range []string{"", "GSQ", "XXXX", "GSQ1", "GSQ1\x05\x00\x00\x00\x00\x00\x00\x00ab", "GSQ1\xff\xff\xff\xff\x00\x00\x00\x00"} {
		if _, err := decodeSegment([]byte(bad)); err == nil {
			t.Errorf("decodeSegment(%q) succeeded", bad)
		}
	}
}
