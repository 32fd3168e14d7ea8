package udf

import (
	"database/sql/driver"
	"encoding/json"
	"regexp"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

func init() {
	add(Func{Name: "kql_parse_kv", Args: []duckdb.Type{duckdb.TYPE_VARCHAR, duckdb.TYPE_VARCHAR, duckdb.TYPE_VARCHAR}, Result: duckdb.TYPE_VARCHAR, Fn: parseKVUDF})
}

// KVOptions are the `with (…)` options of parse-kv, as JSON the SQL
// generator passes to kql_parse_kv.
type KVOptions struct {
	Pair    string   `json:"pair,omitempty"`
	KV      string   `json:"kv,omitempty"`
	Quotes  []string `json:"quotes,omitempty"`
	Escapes []string `json:"escapes,omitempty"`
	Greedy  bool     `json:"greedy,omitempty"`
	Regex   string   `json:"regex,omitempty"`
}

var kvRegexCache sync.Map // string -> *regexp.Regexp

// parseKVUDF is kql_parse_kv(text, options JSON, key): the value of key in
// text, or "" when the key does not occur.
func parseKVUDF(args []driver.Value) (any, error) {
	s, _ := args[0].(string)
	o, _ := args[1].(string)
	key, _ := args[2].(string)
	var opts KVOptions
	if o != "" {
		if err := json.Unmarshal([]byte(o), &opts); err != nil {
			return nil, err
		}
	}
	v, _ := ParseKV(s, key, opts)
	return v, nil
}

// ParseKV extracts the first value of key from s following parse-kv's
// three modes: regex, specified delimiters, and no delimiters (any
// non-alphanumeric character delimits).
func ParseKV(s, key string, o KVOptions) (string, bool) {
	switch {
	case o.Regex != "":
		var re *regexp.Regexp
		if v, ok := kvRegexCache.Load(o.Regex); ok {
			re = v.(*regexp.Regexp)
		} else {
			r, err := regexp.Compile(o.Regex)
			if err != nil || r.NumSubexp() < 2 {
				return "", false
			}
			kvRegexCache.Store(o.Regex, r)
			re = r
		}
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			if strings.TrimSpace(m[1]) == key {
				return strings.TrimSpace(m[2]), true
			}
		}
		return "", false
	case o.Pair != "" || o.KV != "":
		return kvDelimited(s, key, o)
	}
	return kvBestEffort(s, key, o)
}

// quoteAt returns the closing quote when s[i:] starts with an opening
// quote.
func quoteAt(s string, i int, quotes []string) (open, close string, ok bool) {
	for _, q := range quotes {
		if q == "" {
			continue
		}
		op := q[:1]
		cl := op
		if len(q) > 1 {
			cl = q[1:2]
		}
		if strings.HasPrefix(s[i:], op) {
			return op, cl, true
		}
	}
	return "", "", false
}

// readQuoted reads a quoted value starting after the opening quote at i;
// it returns the unescaped text and the index after the closing quote.
func readQuoted(s string, i int, close string, escapes []string) (string, int) {
	var sb strings.Builder
	for i < len(s) {
		esc := false
		for _, e := range escapes {
			if e != "" && strings.HasPrefix(s[i:], e) && i+len(e) < len(s) {
				esc = true
				i += len(e)
				sb.WriteByte(s[i])
				i++
				break
			}
		}
		if esc {
			continue
		}
		if strings.HasPrefix(s[i:], close) {
			return sb.String(), i + len(close)
		}
		sb.WriteByte(s[i])
		i++
	}
	return sb.String(), i
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func kvDelimited(s, key string, o KVOptions) (string, bool) {
	pair, kv := o.Pair, o.KV
	if pair == "" {
		pair = " "
	}
	if kv == "" {
		kv = "="
	}
	i := 0
	for i < len(s) {
		i = skipSpaces(s, i)
		if i >= len(s) {
			break
		}
		// Key.
		var k string
		if _, cl, ok := quoteAt(s, i, o.Quotes); ok {
			k, i = readQuoted(s, i+1, cl, o.Escapes)
		} else {
			end := len(s)
			if j := strings.Index(s[i:], kv); j >= 0 {
				end = i + j
			}
			if j := strings.Index(s[i:], pair); j >= 0 && i+j < end {
				// No key/value delimiter in this pair: skip it.
				i += j + len(pair)
				continue
			}
			k = s[i:end]
			i = end
		}
		k = strings.TrimSpace(k)
		i = skipSpaces(s, i)
		if !strings.HasPrefix(s[i:], kv) {
			if j := strings.Index(s[i:], pair); j >= 0 {
				i += j + len(pair)
				continue
			}
			break
		}
		i = skipSpaces(s, i+len(kv))
		// Value.
		var v string
		if _, cl, ok := quoteAt(s, i, o.Quotes); ok {
			v, i = readQuoted(s, i+1, cl, o.Escapes)
			if j := strings.Index(s[i:], pair); j >= 0 {
				i += j + len(pair)
			} else {
				i = len(s)
			}
		} else if o.Greedy {
			end := nextKeyStart(s, i, pair, kv)
			v = s[i:end]
			i = end + len(pair)
		} else {
			end := len(s)
			if j := strings.Index(s[i:], pair); j >= 0 {
				end = i + j
			}
			v = s[i:end]
			i = end + len(pair)
		}
		if k == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// nextKeyStart finds the next pair delimiter after i that is followed by
// a key (text without pair delimiters) and a key/value delimiter; it
// returns len(s) when there is none.
func nextKeyStart(s string, i int, pair, kv string) int {
	for p := i; p < len(s); {
		j := strings.Index(s[p:], pair)
		if j < 0 {
			return len(s)
		}
		at := p + j
		rest := s[at+len(pair):]
		k := strings.Index(rest, kv)
		if k > 0 && !strings.Contains(rest[:k], pair) && strings.TrimSpace(rest[:k]) != "" {
			return at
		}
		p = at + len(pair)
	}
	return len(s)
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// kvBestEffort finds key as a whole word followed by delimiters and
// reads the next run of alphanumerics (or a quoted value).
func kvBestEffort(s, key string, o KVOptions) (string, bool) {
	if key == "" {
		return "", false
	}
	for from := 0; from < len(s); {
		j := strings.Index(s[from:], key)
		if j < 0 {
			return "", false
		}
		at := from + j
		end := at + len(key)
		from = at + 1
		if at > 0 && isAlnum(s[at-1]) || end < len(s) && isAlnum(s[end]) {
			continue
		}
		i := end
		// Delimiters: non-alphanumeric characters other than quotes.
		for i < len(s) && !isAlnum(s[i]) {
			if _, _, ok := quoteAt(s, i, o.Quotes); ok {
				break
			}
			i++
		}
		if i == end && i < len(s) {
			continue
		}
		if _, cl, ok := quoteAt(s, i, o.Quotes); ok && i < len(s) {
			v, _ := readQuoted(s, i+1, cl, o.Escapes)
			return strings.TrimSpace(v), true
		}
		st := i
		for i < len(s) && isAlnum(s[i]) {
			i++
		}
		return s[st:i], true
	}
	return "", false
}
