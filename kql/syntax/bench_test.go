package syntax

import "testing"

// BenchmarkParseCorpus parses every real-world hunting query; ns/op is per
// query.
func BenchmarkParseCorpus(b *testing.B) {
	qs := loadQueries(b, "kql-corpus/defender-hunting.jsonl")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Parse(qs[i%len(qs)].Query)
	}
}
