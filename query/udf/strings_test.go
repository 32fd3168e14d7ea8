package udf

import (
	"database/sql/driver"
	"testing"
)

func TestStringUDFs(t *testing.T) {
	tests := []struct {
		fn   string
		args []driver.Value
		want any
	}{
		{"kql_hash_string", []driver.Value{"World", int64(0)}, int64(1846988464401551951)},
		{"kql_hash_string", []driver.Value{"Hello", int64(0)}, int64(753694413698530628)},
		{"kql_hash_string", []driver.Value{"World", int64(100)}, int64(51)},
		{"kql_hash_long", []driver.Value{int64(635556672000000000), int64(0)}, int64(1380966698541616202)},
		{"kql_base64_decode_toarray", []driver.Value{"S3VzdG8="}, "[75,117,115,116,111]"},
		{"kql_base64_decode_toarray", []driver.Value{"U3RyaW5n0KHR0tGA0L7Rh9C60LA"}, nil},
		{"kql_base64_encode_fromarray", []driver.Value{"[75,117,115,116,111]"}, "S3VzdG8="},
		{"kql_base64_encode_fromarray", []driver.Value{"[256]"}, nil},
		{"kql_base64_decode_toguid", []driver.Value{"JpbpECu8dUy7Pv5gbeJXAA=="}, "10e99626-bc2b-4c75-bb3e-fe606de25700"},
		{"kql_base64_encode_fromguid", []driver.Value{"ae3133f2-6e22-49ae-b06a-16e6a9b212eb"}, "8jMxriJurkmwahbmqbIS6w=="},
		{"kql_gzip_decompress", []driver.Value{"H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA=="}, "1234567890qwertyuiop"},
		{"kql_gzip_decompress", []driver.Value{"x0x0x0"}, nil},
		{"kql_indexof", []driver.Value{"abcdefg", "cde", int64(1), int64(4), int64(1)}, int64(2)},
		{"kql_indexof", []driver.Value{"abcdefg", "cde", int64(1), int64(2), int64(1)}, int64(-1)},
		{"kql_indexof", []driver.Value{"abcdefg", "cde", int64(3), int64(4), int64(1)}, int64(-1)},
		{"kql_indexof", []driver.Value{"abcdefg", "cde", int64(-5), int64(-1), int64(1)}, int64(2)},
		{"kql_indexof", []driver.Value{"abcdefgabcdefg", "cde", int64(1), int64(10), int64(2)}, int64(9)},
		{"kql_indexof", []driver.Value{"abcdefgabcdefg", "cde", int64(1), int64(-1), int64(3)}, int64(-1)},
		{"kql_indexof_regex", []driver.Value{"abcabcdefg", "a.c", int64(0), int64(9), int64(2)}, int64(3)},
		{"kql_indexof_regex", []driver.Value{"abcabc", "a.c", int64(1), int64(-1), int64(2)}, int64(-1)},
		{"kql_indexof_regex", []driver.Value{"ababaa", "a.a", int64(0), int64(-1), int64(2)}, int64(-1)},
		{"kql_indexof_regex", []driver.Value{"abcabc", "a|ab", int64(-1), int64(-1), int64(1)}, nil},
		{"kql_punycode_domain_from_string", []driver.Value{"xn--Ry-lja8c.xn--Jng-uta63a.xn--Bng-9ka.com"}, "Rúyì.Jīngū.Bàng.com"},
		{"kql_punycode_domain_to_string", []driver.Value{"Rúyì.Jīngū.Bàng.com"}, "xn--Ry-lja8c.xn--Jng-uta63a.xn--Bng-9ka.com"},
		{"kql_punycode_from_string", []driver.Value{"académie-française"}, "acadmie-franaise-npb1a"},
		{"kql_punycode_to_string", []driver.Value{"acadmie-franaise-npb1a"}, "académie-française"},
		{"kql_regex_quote", []driver.Value{"(so$me.Te^xt)"}, `\(so\$me\.Te\^xt\)`},
		{"kql_replace_strings", []driver.Value{"A magic trick can turn a cat into a dog", `["cat","dog"]`, `["dog","pigeon"]`}, "A magic trick can turn a dog into a pigeon"},
		{"kql_replace_strings", []driver.Value{"This is an example", `["This","is"]`, `["This","was"]`}, "This was an example"},
		{"kql_replace_strings", []driver.Value{"This is an example", `["is","This"]`, `["was","This"]`}, "Thwas was an example"},
		{"kql_replace_strings", []driver.Value{"This is an example", `["This","is"]`, `[12345,"was"]`}, "This was an example"},
		{"kql_url_encode", []driver.Value{"https://www.bing.com/hello world"}, "https%3a%2f%2fwww.bing.com%2fhello+world"},
		{"kql_url_encode_component", []driver.Value{"a b/c"}, "a%20b%2fc"},
		{"kql_url_decode", []driver.Value{"https%3a%2f%2fwww.bing.com%2fhello+world%"}, "https://www.bing.com/hello world%"},
		{"kql_extract_all", []driver.Value{`([\da-f]{2})`, "", "82b8be2d"}, `["82","b8","be","2d"]`},
		{"kql_extract_all", []driver.Value{`(\w)(\w+)(\w)`, "[1,3]", "82b8be2d-dfa7"}, `[["8","d"],["d","7"]]`},
		{"kql_extract_all", []driver.Value{`(?P<first>\w)(?P<middle>\w+)(?P<last>\w)`, `["first",2,"last"]`, "dfa7"}, `[["d","fa","7"]]`},
		{"kql_extract_all", []driver.Value{`x`, "", "abc"}, nil},
		{"kql_parse_urlquery", []driver.Value{"k1=v1&k2=v%202"}, `{"Query Parameters":{"k1":"v1","k2":"v 2"}}`},
		{"kql_parse_version", []driver.Value{"1.2.3.4"}, "1000000020000000300000004"},
		{"kql_parse_version", []driver.Value{"0.0.3"}, "300000000"},
		{"kql_parse_version", []driver.Value{"1.2.3.4.5"}, nil},
		{"kql_parse_version", []driver.Value{"a.b"}, nil},
		{"kql_dynamic_to_json", []driver.Value{`{"b":1,"a":{"d":[1,2.50],"c":"<x>"}}`}, `{"a":{"c":"<x>","d":[1,2.50]},"b":1}`},
		{"kql_extract_json", []driver.Value{"$.hosts[1].name", `{"hosts":[{"name":"a"},{"name":"b"}]}`}, "b"},
		{"kql_extract_json", []driver.Value{"$['hosts'][0]", `{"hosts":[{"name":"a"}]}`}, `{"name":"a"}`},
		{"kql_extract_json", []driver.Value{"$.x", `{"y":1}`}, nil},
		{"kql_extract_json", []driver.Value{"$.n", `{"n":12}`}, "12"},
		{"kql_parse_csv", []driver.Value{`aaa,"b,bb",ccc`}, `["aaa","b,bb","ccc"]`},
		{"kql_parse_command_line", []driver.Value{`"C:\Program Files\app.exe" -a "b c" d\"e \\"f g"`, "windows"}, `["C:\\Program Files\\app.exe","-a","b c","d\"e","\\f g"]`},
		{"kql_translate", []driver.Value{"abc", "x", "abcd"}, "xxxd"},
		{"kql_translate", []driver.Value{"abc", "", "abcd"}, "d"},
		{"kql_translate", []driver.Value{"ab", "xy", "abcab"}, "xycxy"},
		{"kql_parse_xml", []driver.Value{`<root><a x="1">t</a><b>2</b><b>3</b><c/></root>`}, `{"root":{"a":{"#text":"t","@x":"1"},"b":["2","3"],"c":null}}`},
		{"kql_parse_xml", []driver.Value{`not xml`}, nil},
	}
	for _, tc := range tests {
		f, ok := funcs[tc.fn]
		if !ok {
			t.Fatalf("no function %s", tc.fn)
		}
		got, err := f.Fn(tc.args)
		if err != nil {
			t.Errorf("%s%v: error %v", tc.fn, tc.args, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s%v = %#v, want %#v", tc.fn, tc.args, got, tc.want)
		}
	}
}

func TestStringUDFErrors(t *testing.T) {
	if _, err := funcs["kql_extract_all"].Fn([]driver.Value{"(", "", "x"}); err == nil {
		t.Error("extract_all with a bad regex: no error")
	}
	if _, err := funcs["kql_extract_json"].Fn([]driver.Value{"hosts", `{}`}); err == nil {
		t.Error("extractjson with a path without $: no error")
	}
	if _, err := funcs["kql_parse_command_line"].Fn([]driver.Value{"a b", "unix"}); err == nil {
		t.Error("parse_command_line with an unknown parser: no error")
	}
}
