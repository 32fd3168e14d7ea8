package edr

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// BenchmarkIngestEvents stores batches of 500 process events of one
// device, each committed with its sequence number.
func BenchmarkIngestEvents(b *testing.B) {
	ctx := context.Background()
	s := newService(b)
	pkg, err := s.CreateOnboarding(ctx, OnboardingRequest{ServerURL: "https://h:1"}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	r, err := s.Enroll(ctx, pkg.Token, agentproto.EnrollRequest{CSR: csrPEM(b), Hostname: "h"}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	dev, _ := s.Device(ctx, r.DeviceID)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	mk := func(seq uint64) agentproto.EventBatch {
		evs := make([]agentproto.Event, 500)
		for i := range evs {
			evs[i] = agentproto.Event{Table: "DeviceProcessEvents", ReportID: int64(seq)*500 + int64(i), Row: map[string]any{
				"Timestamp": now, "ActionType": "ProcessCreated", "FileName": "bash", "FolderPath": "/usr/bin/bash",
				"ProcessCommandLine": fmt.Sprintf("bash -c 'echo %d'", i), "ProcessId": 1000 + i, "InitiatingProcessFileName": "sshd",
				"InitiatingProcessId": 900, "AccountName": "root", "SHA256": "aa"}}
		}
		return agentproto.EventBatch{Seq: seq, Events: evs}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		batch := mk(uint64(i + 1))
		b.StartTimer()
		if _, err := s.IngestEvents(ctx, dev, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "events/s")
}
