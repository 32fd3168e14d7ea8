package syntax

import (
	"testing"

	"github.com/goshawk-sec/goshawk/internal/testenv"
)

// BenchmarkParseCorpus parses the real-world hunting queries one per
// iteration: ns/op is the time to parse one query.
func BenchmarkParseCorpus(b *testing.B) {
	qs := testenv.Corpus(b)
	bytes := 0
	for _, q := range qs {
		bytes += len(q.Query)
	}
	b.SetBytes(int64(bytes / len(qs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Parse(qs[i%len(qs)].Query)
	}
}

// BenchmarkPrintCorpus prints the parsed hunting queries, one per
// iteration.
func BenchmarkPrintCorpus(b *testing.B) {
	var scripts []*Script
	for _, q := range testenv.Corpus(b) {
		s, _ := Parse(q.Query)
		scripts = append(scripts, s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Print(scripts[i%len(scripts)])
	}
}
