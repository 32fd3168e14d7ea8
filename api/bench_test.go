package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/sampledata"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
	"github.com/goshawk-sec/goshawk/workspace"
)

// The ingestion benchmarks measure sustained, durably acknowledged
// ingestion of 1,000-row DeviceProcessEvents batches through the Logs
// Ingestion API over TLS, against the ceiling of a bare DuckDB appender
// loading the same rows (already decoded) into the same kind of workspace
// file. Run them together so the ratio is from one run:
//
//	go test -run XXX -bench 'Ingest' -benchtime 200x ./api/

const benchBatchRows = 1000

var benchData struct {
	once   sync.Once
	bodies [][]byte // JSON arrays of benchBatchRows records
	rows   [][][]any
	err    error
}

// loadBenchData makes eight distinct 1,000-row batches of realistic
// DeviceProcessEvents records from the sample-data generator.
func loadBenchData(b *testing.B) ([][]byte, [][][]any) {
	b.Helper()
	benchData.once.Do(func() {
		ctx := context.Background()
		cat := schema.Default()
		st, err := store.OpenMemory(ctx, cat)
		if err != nil {
			benchData.err = err
			return
		}
		defer st.Close()
		if _, err := sampledata.Generate(ctx, st, sampledata.Options{Rows: 8 * benchBatchRows, Seed: 7}); err != nil {
			benchData.err = err
			return
		}
		eng, err := query.New(ctx, st.DB(), cat, query.DefaultConfig())
		if err != nil {
			benchData.err = err
			return
		}
		set, err := eng.Run(ctx, fmt.Sprintf("DeviceProcessEvents | take %d", 8*benchBatchRows), query.Options{})
		if err != nil {
			benchData.err = err
			return
		}
		tab := set.Primary()
		var buf bytes.Buffer
		if err := result.WriteJSON(&buf, set); err != nil {
			benchData.err = err
			return
		}
		// Re-read the wire form to get JSON-ready values (dynamic as
		// JSON text, datetimes as ISO strings).
		var wire struct {
			Tables []struct {
				Rows [][]json.RawMessage `json:"rows"`
			} `json:"tables"`
		}
		if err := json.Unmarshal(buf.Bytes(), &wire); err != nil {
			benchData.err = err
			return
		}
		t, _ := cat.Table("DeviceProcessEvents")
		var visible []schema.Column
		for _, c := range t.Columns {
			if !c.Hidden {
				visible = append(visible, c)
			}
		}
		dec := ingest.NewDecoder(visible)
		for start := 0; start+benchBatchRows <= len(wire.Tables[0].Rows); start += benchBatchRows {
			var sb strings.Builder
			sb.WriteByte('[')
			for i, row := range wire.Tables[0].Rows[start : start+benchBatchRows] {
				if i > 0 {
					sb.WriteByte(',')
				}
				sb.WriteByte('{')
				for j, v := range row {
					if j > 0 {
						sb.WriteByte(',')
					}
					name, _ := json.Marshal(tab.Columns[j].Name)
					sb.Write(name)
					sb.WriteByte(':')
					sb.Write(v)
				}
				sb.WriteByte('}')
			}
			sb.WriteByte(']')
			body := []byte(sb.String())
			rows, err := dec.Decode(body)
			if err != nil {
				benchData.err = fmt.Errorf("decode sample batch: %w", err)
				return
			}
			// Lay the rows out in table order, as the appender takes them.
			full := make([][]any, len(rows))
			for i, r := range rows {
				fr := make([]any, len(t.Columns))
				copy(fr, r)
				full[i] = fr
			}
			benchData.bodies = append(benchData.bodies, body)
			benchData.rows = append(benchData.rows, full)
		}
	})
	if benchData.err != nil {
		b.Fatal(benchData.err)
	}
	return benchData.bodies, benchData.rows
}

type benchServer struct {
	ws     *workspace.Workspace
	srv    *httptest.Server
	client *http.Client
	token  string
}

func startBenchServer(b *testing.B, cfg Config) *benchServer {
	b.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, b.TempDir(), workspace.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	tok, _, err := ws.CreateToken(ctx, auth.Owner, "bench")
	if err != nil {
		b.Fatal(err)
	}
	h, err := New(ws, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewTLSServer(h)
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 16
	bs := &benchServer{ws: ws, srv: srv, client: client, token: tok}
	b.Cleanup(func() {
		srv.Close()
		ws.Close()
	})
	return bs
}

func (bs *benchServer) post(body []byte, gz bool) error {
	req, _ := http.NewRequest("POST", bs.srv.URL+"/dataCollectionRules/dcr-default/streams/Custom-DeviceProcessEvents?api-version=2023-01-01", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+bs.token)
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := bs.client.Do(req)
	if err != nil {
		return err
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("status %d: %s", resp.StatusCode, msg)
	}
	return nil
}

func gzipped(b *testing.B, bodies [][]byte) [][]byte {
	out := make([][]byte, len(bodies))
	for i, body := range bodies {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(body); err != nil {
			b.Fatal(err)
		}
		zw.Close()
		out[i] = buf.Bytes()
	}
	return out
}

// BenchmarkIngest compares the Logs Ingestion API (4 concurrent clients,
// 204 only once durable) with a bare appender; rows/s is the metric.
func BenchmarkIngest(b *testing.B) {
	bodies, rows := loadBenchData(b)
	// The ceiling: one appender loading every row in one transaction,
	// committed once at the end.
	b.Run("appender", func(b *testing.B) {
		ctx := context.Background()
		st, err := store.Open(ctx, b.TempDir(), schema.Default())
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		b.ResetTimer()
		start := time.Now()
		w, err := st.NewWriter(ctx, "DeviceProcessEvents")
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			for _, r := range rows[i%len(rows)] {
				if err := w.Write(r); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := w.Commit(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N*benchBatchRows)/time.Since(start).Seconds(), "rows/s")
	})
	for _, gz := range []bool{false, true} {
		name := "api-4clients"
		sendBodies := bodies
		cfg := DefaultConfig()
		if gz {
			name += "-gzip"
			sendBodies = gzipped(b, bodies)
		} else {
			cfg.MaxBodyBytes = 16 << 20 // a 1,000-row batch is ~1.6 MB uncompressed
		}
		b.Run(name, func(b *testing.B) {
			bs := startBenchServer(b, cfg)
			var next atomic.Int64
			var wg sync.WaitGroup
			errc := make(chan error, 4)
			b.ResetTimer()
			start := time.Now()
			for c := 0; c < 4; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						if err := bs.post(sendBodies[i%int64(len(sendBodies))], gz); err != nil {
							errc <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			close(errc)
			for err := range errc {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N*benchBatchRows)/elapsed.Seconds(), "rows/s")
			b.StopTimer()
			var n int64
			if err := bs.ws.Store().DB().QueryRow("SELECT count(*) FROM DeviceProcessEvents").Scan(&n); err != nil || n != int64(b.N*benchBatchRows) {
				b.Fatalf("stored %d rows (%v), want %d", n, err, b.N*benchBatchRows)
			}
		})
	}
}

// BenchmarkFreshness measures the time from a batch's acknowledgement to
// its rows answering a query through the API, while ingestion runs at
// about 10,000 rows/s. Each iteration is one paced batch.
func BenchmarkFreshness(b *testing.B) {
	bodies, _ := loadBenchData(b)
	gz := gzipped(b, bodies)
	bs := startBenchServer(b, DefaultConfig())
	info, _ := bs.ws.Info(context.Background())
	var lat []time.Duration
	tick := time.NewTicker(100 * time.Millisecond) // 10 batches of 1,000 rows a second
	defer tick.Stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		<-tick.C
		if err := bs.post(gz[i%len(gz)], true); err != nil {
			b.Fatal(err)
		}
		acked := time.Now()
		want := int64(i+1) * benchBatchRows
		for {
			n, err := bs.count(info.ID)
			if err != nil {
				b.Fatal(err)
			}
			if n >= want {
				break
			}
			if time.Since(acked) > 30*time.Second {
				b.Fatalf("rows not visible after 30 s: %d of %d", n, want)
			}
		}
		lat = append(lat, time.Since(acked))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}

func (bs *benchServer) count(wsID string) (int64, error) {
	set, err := bs.query(wsID, "DeviceProcessEvents | count")
	if err != nil {
		return 0, err
	}
	return set.Primary().Rows[0][0].(int64), nil
}

func (bs *benchServer) query(wsID, q string) (*result.Set, error) {
	req, _ := http.NewRequest("GET", bs.srv.URL+"/v1/workspaces/"+wsID+"/query?query="+url.QueryEscape(q), nil)
	req.Header.Set("Authorization", "Bearer "+bs.token)
	resp, err := bs.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		msg, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, msg)
	}
	return result.ReadJSON(resp.Body)
}

// BenchmarkQueryAPI compares a query through the API (TLS, JSON) with the
// same query on the engine directly, for a one-row and a 10,000-row
// result.
func BenchmarkQueryAPI(b *testing.B) {
	_, rows := loadBenchData(b)
	bs := startBenchServer(b, DefaultConfig())
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		for _, r := range rows {
			if err := bs.ws.Store().Append(ctx, "DeviceProcessEvents", r); err != nil {
				b.Fatal(err)
			}
		}
	}
	info, _ := bs.ws.Info(ctx)
	for _, q := range []struct{ name, text string }{
		{"small", "DeviceProcessEvents | summarize count() by DeviceName | top 1 by count_"},
		{"large", "DeviceProcessEvents | take 10000"},
	} {
		b.Run(q.name+"/engine", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := bs.ws.Engine().Run(ctx, q.text, query.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The client reads the answer but does not decode it: the
		// measure is the server's overhead (HTTP, TLS, JSON encoding).
		b.Run(q.name+"/api", func(b *testing.B) {
			var n int64
			for i := 0; i < b.N; i++ {
				req, _ := http.NewRequest("GET", bs.srv.URL+"/v1/workspaces/"+info.ID+"/query?query="+url.QueryEscape(q.text), nil)
				req.Header.Set("Authorization", "Bearer "+bs.token)
				resp, err := bs.client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				k, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
				n += k
			}
			b.ReportMetric(float64(n)/float64(b.N), "resp-bytes")
		})
	}
}

// BenchmarkDecode measures the Logs Ingestion decoder alone on the same
// 1,000-row DeviceProcessEvents bodies, on one core.
func BenchmarkDecode(b *testing.B) {
	bodies, _ := loadBenchData(b)
	t, _ := schema.Default().Table("DeviceProcessEvents")
	var visible []schema.Column
	for _, c := range t.Columns {
		if !c.Hidden {
			visible = append(visible, c)
		}
	}
	dec := ingest.NewDecoder(visible)
	b.SetBytes(int64(len(bodies[0])))
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := dec.Decode(bodies[i%len(bodies)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatchRows)/time.Since(start).Seconds(), "rows/s")
}
