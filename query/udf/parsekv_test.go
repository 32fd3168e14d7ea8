package udf

import "testing"

func TestParseKV(t *testing.T) {
	tests := []struct {
		name, s, key string
		o            KVOptions
		want         string
		found        bool
	}{
		{"delimited", "ThreadId:45, Machine:Node001, Text: The service is up", "Text", KVOptions{Pair: ",", KV: ":"}, "The service is up", true},
		{"delimited missing", "a=1 b=2", "c", KVOptions{Pair: " ", KV: "="}, "", false},
		{"quoted key and value", `x=1 "event time"="2021-01-01 10:00" y=2`, "event time", KVOptions{Pair: " ", KV: "=", Quotes: []string{`"`}}, "2021-01-01 10:00", true},
		{"paired quotes", "failure=(connection aborted) b=2", "failure", KVOptions{Pair: " ", KV: "=", Quotes: []string{"()"}}, "connection aborted", true},
		{"escape", `f="say \"bye\"" t=1`, "f", KVOptions{Pair: " ", KV: "=", Quotes: []string{`"`}, Escapes: []string{`\`}}, `say "bye"`, true},
		{"not greedy", "name=John Doe phone=555", "name", KVOptions{Pair: " ", KV: "="}, "John", true},
		{"greedy", "name=John Doe phone=555 5555 city=New York", "phone", KVOptions{Pair: " ", KV: "=", Greedy: true}, "555 5555", true},
		{"greedy last", "name=John Doe city=New York", "city", KVOptions{Pair: " ", KV: "=", Greedy: true}, "New York", true},
		{"first wins", "a=1 a=2", "a", KVOptions{Pair: " ", KV: "="}, "1", true},
		{"best effort", "2021-01-01T10:00:34 [INFO] ThreadId:458745723, Machine:Node001, Text: Started", "Machine", KVOptions{}, "Node001", true},
		{"best effort word bound", "XThreadId:1 ThreadId:2", "ThreadId", KVOptions{}, "2", true},
		{"best effort quoted", `Text: 'The service \' is up'`, "Text", KVOptions{Quotes: []string{"'"}, Escapes: []string{`\`}}, "The service ' is up", true},
		{"regex", `"referer url: https://h/?h=1", "advertiser id: 24fe"`, "advertiser id", KVOptions{Regex: `"([\w ]+)\s*:\s*([^"]*)"`}, "24fe", true},
		{"bad regex", "a", "a", KVOptions{Regex: `(`}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, found := ParseKV(tc.s, tc.key, tc.o)
			if got != tc.want || found != tc.found {
				t.Fatalf("ParseKV(%q, %q) = %q, %v; want %q, %v", tc.s, tc.key, got, found, tc.want, tc.found)
			}
		})
	}
}
