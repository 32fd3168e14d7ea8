package kql_test

import (
	"sort"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/schema"
)

// BenchmarkCompileCorpus measures parse + bind + SQL generation of every
// compilable corpus query and reports the median and p99 per query.
func BenchmarkCompileCorpus(b *testing.B) {
	cat := query.Catalog{C: schema.Default()}
	var qs []string
	for _, q := range testenv.Corpus(b) {
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
