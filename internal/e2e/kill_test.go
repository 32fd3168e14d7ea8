package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// killBatch is the JSON body of one batch of Kill_CL rows: every row
// names its client and batch, and Seq is unique across the test.
func killBatch(client, batch, rows int) []byte {
	b := make([]byte, 0, rows*64)
	b = append(b, '[')
	for i := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Client":`...)
		b = strconv.AppendInt(b, int64(client), 10)
		b = append(b, `,"Batch":`...)
		b = strconv.AppendInt(b, int64(batch), 10)
		b = append(b, `,"Seq":`...)
		b = strconv.AppendInt(b, int64(client)*1_000_000_000+int64(batch)*1000+int64(i), 10)
		b = append(b, `,"Note":"row `...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `"}`...)
	}
	return append(b, ']')
}

// TestKill9NoAcknowledgedRowLost kills the server with SIGKILL while four
// clients ingest 500-row batches, restarts it, and checks that every
// batch acknowledged with 204 is stored exactly once, and that every
// batch is stored whole or not at all.
func TestKill9NoAcknowledgedRowLost(t *testing.T) {
	const (
		clients   = 4
		batchRows = 500
		runFor    = 2 * time.Second
	)
	ws := newWorkspace(t)
	srv := startServer(t, ws)
	srv.createTable(t, "Kill_CL", [2]string{"Client", "long"}, [2]string{"Batch", "long"}, [2]string{"Seq", "long"}, [2]string{"Note", "string"})
	ingestor := ws.tokens["ingestor"]

	type key struct{ client, batch int }
	var (
		mu      sync.Mutex
		sent    = map[key]bool{} // every batch a request was started for
		acked   = map[key]bool{}
		refused int // 429s
		lost    int // requests the kill cut off
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; ctx.Err() == nil; b++ {
				body := killBatch(c, b, batchRows)
				mu.Lock()
				sent[key{c, b}] = true
				mu.Unlock()
				r, err := srv.send(ctx, request{method: "POST", path: uploadPath("Custom-Kill_CL"), token: ingestor, body: body})
				mu.Lock()
				switch {
				case err != nil:
					// The server died under the request: its batch may
					// or may not be stored. Stop this client.
					lost++
					mu.Unlock()
					return
				case r.Status == http.StatusNoContent:
					acked[key{c, b}] = true
				case r.Status == http.StatusTooManyRequests:
					refused++
				default:
					t.Errorf("client %d, batch %d: HTTP %d: %s", c, b, r.Status, r.Body)
				}
				mu.Unlock()
			}
		}()
	}

	time.Sleep(runFor)
	srv.kill()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cancel()
		<-done
		t.Fatal("the clients did not notice the server's death within 30s")
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("before SIGKILL: %d batches sent, %d acknowledged (%d rows), %d refused with 429, %d cut off by the kill",
		len(sent), len(acked), len(acked)*batchRows, refused, lost)
	if len(acked) < clients {
		t.Fatalf("only %d batches were acknowledged in %s: too few to test durability", len(acked), runFor)
	}

	srv2 := srv.restart()
	rt := srv2.query(t, "Kill_CL | summarize n=count(), seqs=count_distinct(Seq) by Client, Batch", "").primary(t)
	stored := map[key]bool{}
	var storedRows int64
	for _, row := range rt.Rows {
		c, _ := row[0].(json.Number).Int64()
		b, _ := row[1].(json.Number).Int64()
		n, _ := row[2].(json.Number).Int64()
		distinct, _ := row[3].(json.Number).Int64()
		k := key{int(c), int(b)}
		stored[k] = true
		storedRows += n
		switch {
		case !sent[k]:
			t.Errorf("batch %v was never sent but %d of its rows are stored", k, n)
		case n != batchRows || distinct != batchRows:
			// Acknowledged or not, a batch is all or nothing, and
			// each row is stored once.
			t.Errorf("batch %v (acknowledged: %v): %d rows stored, %d distinct, want %d of each", k, acked[k], n, distinct, batchRows)
		}
	}
	missing := 0
	for k := range acked {
		if !stored[k] {
			missing++
			if missing <= 10 {
				t.Errorf("batch %v was acknowledged with 204 but is not stored after kill -9", k)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged batches are lost", missing, len(acked))
	}
	if got := srv2.count(t, "Kill_CL"); got != storedRows {
		t.Errorf("Kill_CL | count = %d, but the batches add up to %d rows", got, storedRows)
	}
	t.Logf("after the restart: %d batches stored (%d acknowledged, %d of the cut-off ones)", len(stored), len(acked), len(stored)-len(acked))

	// The workspace still takes rows.
	srv2.mustUpload(t, ingestor, "Custom-Kill_CL", json.RawMessage(killBatch(clients, 0, 10)), false)
	if got := srv2.count(t, "Kill_CL"); got != storedRows+10 {
		t.Errorf("after one more batch of 10 rows Kill_CL holds %d rows, want %d", got, storedRows+10)
	}
}
