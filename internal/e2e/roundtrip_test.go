package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// roundTripColumns is the schema of the custom table the round trip
// creates: one column of every type.
var roundTripColumns = [][2]string{
	{"Seq", "long"}, {"Name", "string"}, {"When", "datetime"}, {"Bag", "dynamic"}, {"Ok", "bool"},
	{"Score", "real"}, {"Small", "int"}, {"Span", "timespan"}, {"Id", "guid"}, {"Amount", "decimal"},
}

// roundTripRow is row i of the custom table as sent and as expected back,
// in roundTripColumns order. Row 29 carries only Seq: every other cell
// must come back null, except the string, which Kusto makes empty.
func roundTripRow(i int) (sent map[string]any, want []any) {
	seq := int64(1)<<53 + 1 + int64(i) // not exact in a float64
	if i == 29 {
		return map[string]any{"Seq": seq}, []any{seq, "", nil, nil, nil, nil, nil, nil, nil, nil}
	}
	names := []string{"ünïcödé \"quoted\" \\ back\nslash\t<&>", ""}
	name := fmt.Sprintf("name %02d", i)
	if i < len(names) {
		name = names[i]
	}
	when := time.Date(2001, 2, 3, 4, 5, 6, 789012000, time.UTC).AddDate(0, 0, i).Add(time.Duration(i) * time.Microsecond)
	bags := []string{
		`{"k":1,"nested":{"a":[1,2,{"b":null}]}}`,
		`[1,"two",3.5,true,null]`,
		`"just a string"`,
		`42`,
		`{"unicode":"ü","emoji":"🦅"}`,
	}
	bag := bags[i%len(bags)]
	var ok any = i%2 == 0
	if i%7 == 3 {
		ok = nil
	}
	scores := []float64{0.1, -2.5e10, 3.141592653589793, 0, 1e-300, float64(i) + 0.25}
	score := scores[i%len(scores)]
	smalls := []int64{-2147483648, 2147483647}
	small := int64(i)
	if i < len(smalls) {
		small = smalls[i]
	}
	span := fmt.Sprintf("%02d:%02d:%02d", i%24, i, (i*7)%60)
	wantSpan := span
	if i == 0 {
		span, wantSpan = "1.02:03:04.5", "1.02:03:04.5000000"
	}
	id := fmt.Sprintf("5E8B1C64-0000-4000-8000-%012X", 0xABC000+i)
	amounts := []string{"12.345", "-0.001", "123456789.123456789", "0"}
	amount := amounts[i%len(amounts)]

	sent = map[string]any{
		"Seq": seq, "Name": name, "When": when.Format(time.RFC3339Nano), "Bag": json.RawMessage(bag),
		"Score": score, "Small": small, "Span": span, "Id": id, "Amount": amount,
	}
	if ok != nil {
		sent["Ok"] = ok
	}
	return sent, []any{seq, name, when, dyn(bag), ok, score, small, timespan(wantSpan), lower(id), decimal(amount)}
}

// syslogRow is row i of Syslog as sent and as expected back.
func syslogRow(base time.Time, i int) (sent map[string]any, want []any) {
	tg := syslogTime(base, i)
	event := tg.Add(-time.Duration(i) * time.Millisecond)
	mg := fmt.Sprintf("0000000A-BEEF-4%03X-8000-000000000001", i)
	sent = map[string]any{
		"TimeGenerated": tg,
		"EventTime":     event,
		"Computer":      fmt.Sprintf("host-%d", i%5),
		"HostName":      fmt.Sprintf("host-%d.example.org", i%5),
		"Facility":      []string{"auth", "daemon", "kern"}[i%3],
		"SeverityLevel": []string{"info", "warning", "err"}[i%3],
		"SyslogMessage": fmt.Sprintf("sshd[%d]: Accepted publickey for user%d from 10.0.0.%d port %d ssh2", 1000+i, i, i, 50000+i),
		"ProcessID":     1000 + i,
		"ProcessName":   "sshd",
		"HostIP":        fmt.Sprintf("10.0.0.%d", i),
		"MG":            mg,
	}
	return sent, []any{tg, event, sent["Computer"], sent["HostName"], sent["Facility"], sent["SeverityLevel"],
		sent["SyslogMessage"], int64(1000 + i), "sshd", sent["HostIP"], lower(mg), "Syslog"}
}

var syslogColumns = []string{"TimeGenerated", "EventTime", "Computer", "HostName", "Facility", "SeverityLevel",
	"SyslogMessage", "ProcessID", "ProcessName", "HostIP", "MG", "Type"}

// syslogTime spreads rows a second apart with distinct microseconds.
func syslogTime(base time.Time, i int) time.Time {
	return base.Add(time.Duration(i)*time.Second + time.Duration(i*1001)*time.Microsecond)
}

// TestRoundTripRestart ingests through both ingestion APIs, checks every
// value as the query API returns it, restarts the server gracefully, and
// checks that every answer is byte for byte the same.
func TestRoundTripRestart(t *testing.T) {
	ws := newWorkspace(t)
	srv := startServer(t, ws)
	ingestor := ws.tokens["ingestor"]
	// Recent enough that retention keeps the rows and a PT6H timespan
	// covers them.
	base := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)

	// Syslog, a catalogue table: one plain and one gzip upload.
	const nSyslog = 40
	var syslogSent []map[string]any
	var syslogWant [][]any
	for i := range nSyslog {
		s, w := syslogRow(base, i)
		syslogSent, syslogWant = append(syslogSent, s), append(syslogWant, w)
	}
	srv.mustUpload(t, ingestor, "Custom-Syslog", syslogSent[:25], false)
	srv.mustUpload(t, ingestor, "Custom-Syslog", syslogSent[25:], true)

	// A custom table created through the API: the first half without
	// TimeGenerated, gzipped; the second half with it.
	srv.createTable(t, "RoundTrip_CL", roundTripColumns...)
	var rtSent []map[string]any
	var rtWant [][]any
	for i := range 30 {
		s, w := roundTripRow(i)
		if i >= 15 {
			tg := base.Add(time.Duration(i) * time.Minute)
			s["TimeGenerated"] = tg
			w = append(w, tg)
		} else {
			w = append(w, nil) // receive time, checked below
		}
		rtSent, rtWant = append(rtSent, s), append(rtWant, w)
	}
	before := time.Now().UTC()
	srv.mustUpload(t, ingestor, "Custom-RoundTrip_CL", rtSent[:15], true)
	after := time.Now().UTC()
	srv.mustUpload(t, ingestor, "Custom-RoundTrip_CL", rtSent[15:], false)

	t.Run("Syslog", func(t *testing.T) {
		rt := srv.query(t, "Syslog | order by ProcessID asc", "").primary(t)
		checkRows(t, rt, syslogColumns, syslogWant)
		tenant := rt.col(t, "TenantId")
		for i, row := range rt.Rows {
			if row[tenant] != srv.ID {
				t.Errorf("row %d: TenantId = %v, want the workspace id %s", i, row[tenant], srv.ID)
			}
		}
	})

	t.Run("CustomTable", func(t *testing.T) {
		rt := srv.query(t, "RoundTrip_CL | order by Seq asc", "").primary(t)
		cols := []string{"Seq", "Name", "When", "Bag", "Ok", "Score", "Small", "Span", "Id", "Amount"}
		var want [][]any
		for _, w := range rtWant {
			want = append(want, w[:len(cols)])
		}
		checkRows(t, rt, cols, want)
		for i, c := range roundTripColumns {
			if got := rt.Columns[rt.col(t, c[0])].Type; got != c[1] {
				t.Errorf("column %d %s has type %s, want %s", i, c[0], got, c[1])
			}
		}
		// TimeGenerated: as sent, or the receive time.
		tgCol := rt.col(t, "TimeGenerated")
		for i, row := range rt.Rows {
			s, _ := row[tgCol].(string)
			tg, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				t.Errorf("row %d: TimeGenerated %v: %v", i, row[tgCol], err)
				continue
			}
			if w, ok := rtWant[i][len(cols)].(time.Time); ok {
				if !tg.Equal(w) {
					t.Errorf("row %d: TimeGenerated = %s, want %s as sent", i, s, w.Format(time.RFC3339Nano))
				}
			} else if tg.Before(before.Add(-time.Second)) || tg.After(after.Add(time.Second)) {
				t.Errorf("row %d: TimeGenerated = %s, want the receive time in [%s, %s]", i, s, before.Format(time.RFC3339Nano), after.Format(time.RFC3339Nano))
			}
		}
		// ingestion_time() is when the row was stored.
		it := srv.query(t, "RoundTrip_CL | where Seq < 9007199254741008 | summarize first=min(ingestion_time()), last=max(ingestion_time())", "").primary(t)
		for j, name := range []string{"first", "last"} {
			s, _ := it.Rows[0][j].(string)
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil || tm.Before(before.Add(-time.Second)) || tm.After(after.Add(time.Second)) {
				t.Errorf("ingestion_time() %s = %v, want a time in [%s, %s]", name, it.Rows[0][j], before.Format(time.RFC3339Nano), after.Format(time.RFC3339Nano))
			}
		}
	})

	t.Run("Timespan", func(t *testing.T) {
		interval := syslogTime(base, 9).Add(500*time.Millisecond).Format(time.RFC3339Nano) + "/" +
			syslogTime(base, 19).Add(500*time.Millisecond).Format(time.RFC3339Nano)
		for _, c := range []struct {
			timespan string
			want     int64
		}{
			{"PT6H", nSyslog},
			{"PT1H", 0},
			{interval, 10},
			{syslogTime(base, 9).Add(500*time.Millisecond).Format(time.RFC3339) + "/PT10S", 10},
		} {
			rt := srv.query(t, "Syslog | count", c.timespan).primary(t)
			if err := sameValue(rt.Rows[0][0], c.want); err != nil {
				t.Errorf("Syslog | count with timespan %s: %v", c.timespan, err)
			}
		}
	})

	// The HTTP Data Collector API, once the server has it.
	dataCollector := false
	t.Run("DataCollector", func(t *testing.T) {
		key, ok := srv.sharedKey(t)
		if !ok {
			t.Skip("the server has no GET /v1/workspace/sharedKeys yet")
		}
		when := base.Add(30 * time.Minute).Add(123456 * time.Microsecond)
		records := []map[string]any{
			{"Name": "alpha", "Count": 42, "Ratio": 0.5, "Flag": true, "When": when.Format(time.RFC3339Nano), "Id": "1B4E28BA-2FA1-11D2-883F-0016D3CCA427"},
			{"Name": "beta \"quoted\" ü", "Count": -7, "Ratio": 1e-9, "Flag": false, "When": when.Add(time.Hour).Format(time.RFC3339Nano), "Id": "1b4e28ba-2fa1-11d2-883f-0016d3cca428"},
		}
		body, _ := json.Marshal(records)
		r := srv.postDataCollector(t, key, "E2EDC", body, map[string]string{"time-generated-field": "When"})
		if r.Status == http.StatusNotFound {
			t.Skipf("POST /api/logs: HTTP 404: %s", r.Body)
		}
		if r.Status != http.StatusOK {
			t.Fatalf("POST /api/logs: HTTP %d, want 200: %s", r.Status, r.Body)
		}
		dataCollector = true
		rt := srv.query(t, "E2EDC_CL | order by Name_s asc", "").primary(t)
		checkRows(t, rt, []string{"TimeGenerated", "Name_s", "Count_d", "Ratio_d", "Flag_b", "When_t", "Id_g", "Type"}, [][]any{
			{when, "alpha", 42.0, 0.5, true, when, "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "E2EDC_CL"},
			{when.Add(time.Hour), "beta \"quoted\" ü", -7.0, 1e-9, false, when.Add(time.Hour), "1b4e28ba-2fa1-11d2-883f-0016d3cca428", "E2EDC_CL"},
		})
		for _, c := range []struct{ name, typ string }{{"Name_s", "string"}, {"Count_d", "real"}, {"Ratio_d", "real"}, {"Flag_b", "bool"}, {"When_t", "datetime"}, {"Id_g", "guid"}} {
			if got := rt.Columns[rt.col(t, c.name)].Type; got != c.typ {
				t.Errorf("column %s has type %s, want %s", c.name, got, c.typ)
			}
		}
	})

	// Answers to compare across the restart, byte for byte.
	queries := []struct{ query, timespan string }{
		{"Syslog | order by ProcessID asc", ""},
		{"RoundTrip_CL | order by Seq asc", ""},
		{"RoundTrip_CL | extend it=ingestion_time() | order by Seq asc", ""},
		{"Syslog | summarize n=count(), first=min(TimeGenerated), last=max(TimeGenerated) by Computer | order by Computer asc", ""},
		{"Syslog | order by TimeGenerated asc | project TimeGenerated, ProcessID", "PT6H"},
		{"union Syslog, RoundTrip_CL | count", ""},
	}
	if dataCollector {
		queries = append(queries, struct{ query, timespan string }{"E2EDC_CL | order by Name_s asc", ""})
	}
	reader := ws.tokens["reader"]
	answers := make([][]byte, len(queries))
	for i, q := range queries {
		r := srv.queryRaw(t, reader, q.query, q.timespan)
		if r.Status != http.StatusOK {
			t.Fatalf("query %q: HTTP %d: %s", q.query, r.Status, r.Body)
		}
		answers[i] = r.Body
	}

	srv.stop()
	srv2 := srv.restart()
	if srv2.ID != srv.ID {
		t.Errorf("the workspace id changed across the restart: %s, then %s", srv.ID, srv2.ID)
	}
	for i, q := range queries {
		// A PT6H timespan ends now: give the later query the same
		// window by naming it as an interval.
		ts := q.timespan
		if ts != "" {
			ts = base.Add(-4*time.Hour).Format(time.RFC3339) + "/" + time.Now().UTC().Format(time.RFC3339)
		}
		r := srv2.queryRaw(t, reader, q.query, ts)
		if r.Status != http.StatusOK {
			t.Errorf("after the restart, query %q: HTTP %d: %s", q.query, r.Status, r.Body)
			continue
		}
		if !bytes.Equal(r.Body, answers[i]) {
			t.Errorf("after the restart, query %q answers\n%s\nwant, as before the restart,\n%s", q.query, tail(string(r.Body), 4000), tail(string(answers[i]), 4000))
		}
	}
	if got := srv2.count(t, "Syslog"); got != nSyslog {
		t.Errorf("Syslog holds %d rows after the restart, want %d", got, nSyslog)
	}
}

// TestCustomTableExtendRestart extends a custom table with a second PUT,
// as Log Analytics allows, and restarts: the workspace must reopen with
// the extended schema.
func TestCustomTableExtendRestart(t *testing.T) {
	ws := newWorkspace(t)
	srv := startServer(t, ws)
	srv.createTable(t, "Grow_CL", [2]string{"A", "long"})
	srv.createTable(t, "Grow_CL", [2]string{"A", "long"}, [2]string{"B", "string"})
	srv.mustUpload(t, ws.tokens["ingestor"], "Custom-Grow_CL", []map[string]any{{"A": 1, "B": "x"}}, false)
	r := srv.do(t, request{method: "GET", path: "/v1/tables/Grow_CL", token: ws.tokens["reader"]})
	var info struct {
		Columns []struct{ Name, Type string }
	}
	if err := json.Unmarshal(r.Body, &info); err != nil {
		t.Fatalf("GET /v1/tables/Grow_CL: %v: %s", err, r.Body)
	}
	types := map[string]string{}
	for _, c := range info.Columns {
		types[c.Name] = c.Type
	}
	if types["A"] != "long" || types["B"] != "string" {
		t.Errorf("GET /v1/tables/Grow_CL: column types %q, want A long and B string", types)
	}
	srv.stop()
	srv2 := srv.restart()
	rt := srv2.query(t, "Grow_CL", "").primary(t)
	checkRows(t, rt, []string{"A", "B"}, [][]any{{int64(1), "x"}})
}
