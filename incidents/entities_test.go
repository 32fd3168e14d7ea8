package incidents

import (
	"reflect"
	"testing"

	"github.com/goshawk-sec/goshawk/alerts"
)

func TestParseEntities(t *testing.T) {
	for _, tc := range []struct {
		name  string
		json  string
		names []string // type:name of each entity
		props map[int]map[string]any
	}{
		{name: "empty", json: ``},
		{name: "empty array", json: `[]`},
		{
			name:  "references, as the alerts package writes them",
			json:  `[{"$id":"1","HostName":"web-01","DnsDomain":"corp.example","Type":"host"},{"$id":"2","Name":"alice","NTDomain":"CORP","Host":{"$ref":"1"},"Type":"account"}]`,
			names: []string{"host:web-01.corp.example", `account:CORP\alice`},
			props: map[int]map[string]any{1: {"Name": "alice", "NTDomain": "CORP", "Host": "web-01.corp.example"}},
		},
		{
			name:  "inline entities, as Sentinel writes the first occurrence",
			json:  `[{"$id":"3","CommandLine":"powershell -enc AAA","ProcessId":"4242","ImageFile":{"$id":"4","Name":"powershell.exe","Directory":"C:\\Windows\\System32","FileHashes":[{"$id":"5","Algorithm":"SHA256","Value":"abc","Type":"filehash"}],"Type":"file"},"Type":"process"},{"$id":"6","Address":"10.1.2.3","Location":{"CountryCode":"NL"},"Type":"ip"},{"$ref":"5"}]`,
			names: []string{"process:powershell -enc AAA", `file:C:\Windows\System32\powershell.exe`, "filehash:SHA256:abc", "ip:10.1.2.3"},
			props: map[int]map[string]any{
				0: {"CommandLine": "powershell -enc AAA", "ProcessId": "4242", "ImageFile": `C:\Windows\System32\powershell.exe`},
				1: {"Name": "powershell.exe", "Directory": `C:\Windows\System32`, "FileHashes": []any{"SHA256:abc"}},
				3: {"Address": "10.1.2.3", "Location": map[string]any{"CountryCode": "NL"}},
			},
		},
		{
			name:  "a reference loop and an unknown type",
			json:  `[{"$id":"1","Name":"a","Peer":{"$ref":"2"},"Type":"thing"},{"$id":"2","Name":"b","Peer":{"$ref":"1"},"Type":"thing"},{"$id":"3","Count":3,"Type":"widget"}]`,
			names: []string{"thing:a", "thing:b", "widget:widget"},
			props: map[int]map[string]any{2: {"Count": float64(3)}},
		},
	} {
		es, err := parseEntities(tc.json)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var names []string
		for _, e := range es {
			names = append(names, e.Type+":"+e.Name)
		}
		if !reflect.DeepEqual(names, tc.names) {
			t.Errorf("%s: entities %q, want %q", tc.name, names, tc.names)
		}
		for i, want := range tc.props {
			if i >= len(es) || !reflect.DeepEqual(es[i].Properties, want) {
				t.Errorf("%s: entity %d properties = %v, want %v", tc.name, i, es[min(i, len(es)-1)].Properties, want)
			}
		}
	}
	if _, err := parseEntities(`{"not":"an array"}`); err == nil {
		t.Error("parseEntities of an object succeeded")
	}
}

// TestEntityIdentity: entities are the same when their identifiers are,
// whatever the case, the other properties, the order and the way they
// refer to each other.
func TestEntityIdentity(t *testing.T) {
	key := func(build func(es *alerts.Entities)) []string {
		var es alerts.Entities
		build(&es)
		parsed, err := parseEntities(es.String())
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range parsed {
			keys = append(keys, e.key)
		}
		return keys
	}
	a := key(func(es *alerts.Entities) {
		h := es.Add(alerts.TypeHost, map[string]any{"HostName": "web-01", "DnsDomain": "corp.example", "OSVersion": "12"})
		es.Add(alerts.TypeAccount, map[string]any{"Name": "alice", "NTDomain": "CORP", "Host": h})
	})
	b := key(func(es *alerts.Entities) {
		h := es.Add(alerts.TypeHost, map[string]any{"HostName": "WEB-01", "DnsDomain": "corp.example", "OSVersion": "13", "OSFamily": "Linux"})
		es.Add(alerts.TypeAccount, map[string]any{"Name": "Alice", "NTDomain": "corp", "Host": h})
	})
	if !reflect.DeepEqual(a, b) {
		t.Errorf("the same host and account: keys\n%q\n%q", a, b)
	}
	c := key(func(es *alerts.Entities) {
		h := es.Add(alerts.TypeHost, map[string]any{"HostName": "db-02", "DnsDomain": "corp.example"})
		es.Add(alerts.TypeAccount, map[string]any{"Name": "alice", "NTDomain": "CORP", "Host": h})
	})
	if a[1] != c[1] {
		t.Errorf("the domain account CORP\\alice on two hosts: keys %q and %q, want one", a[1], c[1])
	}
	local := func(host string) string {
		return key(func(es *alerts.Entities) {
			h := es.Add(alerts.TypeHost, map[string]any{"HostName": host})
			es.Add(alerts.TypeAccount, map[string]any{"Name": "root", "Host": h})
		})[1]
	}
	if local("web-01") == local("db-02") {
		t.Errorf("the local accounts root on web-01 and on db-02 share the key %q", local("web-01"))
	}
	sid := func(name string) string {
		return key(func(es *alerts.Entities) {
			es.Add(alerts.TypeAccount, map[string]any{"Name": name, "Sid": "S-1-5-21-1-2-3-500"})
		})[0]
	}
	if sid("administrator") != sid("admin") {
		t.Errorf("one SID under two names: keys %q and %q, want one", sid("administrator"), sid("admin"))
	}
	inline, err := parseEntities(`[{"$id":"1","Name":"alice","NTDomain":"CORP","Host":{"$id":"2","HostName":"web-01","DnsDomain":"corp.example","Type":"host"},"Type":"account"}]`)
	if err != nil || len(inline) != 2 || inline[0].key != a[1] || inline[1].key != a[0] {
		t.Errorf("an inline host gives keys %v, want the referenced form's %v", inline, a)
	}
	for _, tc := range []struct{ sentinel, json string }{
		{"Account", "account"}, {"RegistryKey", "registry-key"}, {"FileHash", "filehash"}, {"IP", "ip"}, {"URL", "url"}, {"DNS", "dns"},
	} {
		if normType(tc.sentinel) != normType(tc.json) {
			t.Errorf("normType(%q) = %q, normType(%q) = %q; want equal", tc.sentinel, normType(tc.sentinel), tc.json, normType(tc.json))
		}
	}
}
