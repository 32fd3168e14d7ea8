package udf

import (
	"database/sql/driver"
	"encoding/json"
	"net/url"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

func init() {
	add(Func{Name: "kql_parse_url", Args: []duckdb.Type{duckdb.TYPE_VARCHAR}, Result: duckdb.TYPE_VARCHAR, Fn: parseURL})
	add(Func{Name: "kql_parse_path", Args: []duckdb.Type{duckdb.TYPE_VARCHAR}, Result: duckdb.TYPE_VARCHAR, Fn: parsePath})
}

// parseURL is Kusto's parse_url: a bag of the URL's parts, all strings,
// or an empty bag when the text is not an absolute URL.
func parseURL(args []driver.Value) (any, error) {
	s, _ := args[0].(string)
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "{}", nil
	}
	params := map[string]string{}
	for k, v := range u.Query() {
		params[k] = v[len(v)-1]
	}
	pw, _ := u.User.Password()
	out := map[string]any{
		"Scheme":           u.Scheme,
		"Host":             u.Hostname(),
		"Port":             u.Port(),
		"Path":             u.EscapedPath(),
		"Username":         u.User.Username(),
		"Password":         pw,
		"Query Parameters": params,
		"Fragment":         u.Fragment,
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// parsePath is Kusto's parse_path for Windows and Unix paths and URLs.
func parsePath(args []driver.Value) (any, error) {
	s, _ := args[0].(string)
	out := map[string]string{"Scheme": "", "RootPath": "", "DirectoryPath": "", "DirectoryName": "", "Filename": "", "Extension": "", "AlternateDataStreamName": ""}
	p := s
	if i := strings.Index(p, "://"); i > 0 {
		out["Scheme"] = p[:i]
		p = p[i+3:]
	}
	sep := "/"
	if strings.Contains(p, `\`) {
		sep = `\`
	}
	switch {
	case len(p) >= 2 && p[1] == ':':
		out["RootPath"] = p[:2]
	case out["Scheme"] != "":
		if i := strings.Index(p, "/"); i > 0 {
			out["RootPath"] = p[:i]
		}
	}
	i := strings.LastIndex(p, sep)
	file := p
	if i >= 0 {
		out["DirectoryPath"] = p[:i]
		file = p[i+1:]
		dir := p[:i]
		if j := strings.LastIndex(dir, sep); j >= 0 {
			out["DirectoryName"] = dir[j+1:]
		} else {
			out["DirectoryName"] = dir
		}
	}
	if k := strings.Index(file, ":"); k >= 0 && out["RootPath"] != file[:k] {
		out["AlternateDataStreamName"] = file[k+1:]
		file = file[:k]
	}
	out["Filename"] = file
	if k := strings.LastIndex(file, "."); k >= 0 {
		out["Extension"] = file[k+1:]
	}
	b, err := json.Marshal(out)
	return string(b), err
}
