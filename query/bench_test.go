package query_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/sampledata"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// huntingBench pairs a typical hunting query with the SQL a person would
// write by hand for DuckDB over the same table. The ratio of their run
// times is the cost of the KQL translation.
var huntingBench = []struct {
	name, kql, sql string
}{
	{"equality-FileName",
		`DeviceProcessEvents | where FileName == "powershell.exe" | count`,
		`SELECT count(*) FROM "DeviceProcessEvents" WHERE "FileName" = 'powershell.exe'`},
	{"has-CommandLine",
		`DeviceProcessEvents | where ProcessCommandLine has "bypass" | count`,
		`SELECT count(*) FROM "DeviceProcessEvents" WHERE regexp_matches("ProcessCommandLine", '(?i)(?:^|[^\p{L}\p{N}])bypass(?:$|[^\p{L}\p{N}])')`},
	{"contains-CommandLine",
		`DeviceProcessEvents | where ProcessCommandLine contains "bypass" | count`,
		`SELECT count(*) FROM "DeviceProcessEvents" WHERE "ProcessCommandLine" ILIKE '%bypass%'`},
	{"count-by-device-top10",
		`DeviceProcessEvents | summarize count() by DeviceName | top 10 by count_`,
		`SELECT "DeviceName", count(*) AS c FROM "DeviceProcessEvents" GROUP BY 1 ORDER BY c DESC LIMIT 10`},
	{"hourly-histogram-24h",
		`DeviceProcessEvents | where Timestamp > ago(1d) | summarize count() by bin(Timestamp, 1h)`,
		`SELECT time_bucket(INTERVAL 1 HOUR, "Timestamp") AS b, count(*) FROM "DeviceProcessEvents" WHERE "Timestamp" > now()::TIMESTAMP - INTERVAL 1 DAY GROUP BY 1`},
	{"rare-binaries",
		`DeviceProcessEvents | summarize Devices = dcount(DeviceId) by SHA256 | where Devices < 3 | count`,
		`SELECT count(*) FROM (SELECT "SHA256", count(DISTINCT "DeviceId") AS d FROM "DeviceProcessEvents" GROUP BY 1) WHERE d < 3`},
	{"process-network-join",
		`DeviceProcessEvents | join kind=inner (DeviceNetworkEvents) on DeviceId, $left.ProcessId == $right.InitiatingProcessId | count`,
		`SELECT count(*) FROM "DeviceProcessEvents" p JOIN "DeviceNetworkEvents" n ON p."DeviceId" = n."DeviceId" AND p."ProcessId" = n."InitiatingProcessId"`},
	{"arg_max-by-device",
		`DeviceProcessEvents | summarize arg_max(Timestamp, *) by DeviceId | count`,
		`SELECT count(*) FROM (SELECT "DeviceId", arg_max("FileName", "Timestamp"), max("Timestamp") FROM "DeviceProcessEvents" GROUP BY 1)`},
}

var benchOnce sync.Once
var benchEngine *query.Engine
var benchStore *store.Store

// benchWorkspace builds (once per run) a workspace of sample data with
// GOSHAWK_BENCH_ROWS DeviceProcessEvents rows (default 200,000), or opens
// GOSHAWK_BENCH_DATA when set (a directory made by `goshawk sample-data`).
func benchWorkspace(b *testing.B) (*query.Engine, *store.Store) {
	benchOnce.Do(func() {
		ctx := context.Background()
		cat := schema.Default()
		var st *store.Store
		var err error
		if dir := os.Getenv("GOSHAWK_BENCH_DATA"); dir != "" {
			st, err = store.Open(ctx, dir, cat)
		} else {
			rows := 200000
			if s := os.Getenv("GOSHAWK_BENCH_ROWS"); s != "" {
				rows, _ = strconv.Atoi(s)
			}
			st, err = store.OpenMemory(ctx, cat)
			if err == nil {
				_, err = sampledata.Generate(ctx, st, sampledata.Options{Rows: rows, Now: time.Now().UTC(), Seed: 1})
			}
		}
		if err != nil {
			b.Fatal(err)
		}
		benchStore = st
		benchEngine, err = query.New(ctx, st.DB(), cat, query.DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
	})
	if benchEngine == nil {
		b.Skip("bench workspace failed to build")
	}
	return benchEngine, benchStore
}

// BenchmarkHunting runs each hunting query as KQL (compile + execute) and
// as the hand-written SQL. Compare the kql/ and sql/ pairs with benchstat.
func BenchmarkHunting(b *testing.B) {
	eng, st := benchWorkspace(b)
	ctx := context.Background()
	for _, q := range huntingBench {
		b.Run(q.name+"/kql", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := eng.Run(ctx, q.kql, query.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(q.name+"/sql", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				rows, err := st.DB().QueryContext(ctx, q.sql)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				rows.Close()
			}
		})
	}
}
