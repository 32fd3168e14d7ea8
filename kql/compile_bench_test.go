package kql_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/schema"
)

type corpusQuery struct {
	ID       string   `json:"id"`
	Query    string   `json:"query"`
	Tables   []string `json:"tables"`
	ValidKQL bool     `json:"valid_kql"`
}

func loadCorpus(tb testing.TB) []corpusQuery {
	tb.Helper()
	f, err := os.Open(filepath.Join(testenv.SharedDir(tb), "kql-corpus", "defender-hunting.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []corpusQuery
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var q corpusQuery
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			tb.Fatal(err)
		}
		out = append(out, q)
	}
	return out
}

// BenchmarkCompileCorpus measures parse + bind + SQL generation of every
// compilable corpus query and reports the median and p99 per query.
func BenchmarkCompileCorpus(b *testing.B) {
	cat := query.Catalog{C: schema.Default()}
	var qs []string
	for _, q := range loadCorpus(b) {
		if _, err := kql.Compile(q.Query, cat, kql.Options{}); err == nil {
			qs = append(qs, q.Query)
		}
	}
	if len(qs) == 0 {
		b.Skip("no corpus query compiles")
	}
	durs := make([]time.Duration, 0, b.N*len(qs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range qs {
			start := time.Now()
			if _, err := kql.Compile(q, cat, kql.Options{}); err != nil {
				b.Fatal(err)
			}
			durs = append(durs, time.Since(start))
		}
	}
	b.StopTimer()
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "median-ns/query")
	b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns/query")
	b.ReportMetric(float64(len(qs)), "queries")
}
