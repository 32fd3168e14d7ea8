// Package store keeps a Goshawk workspace in an embedded DuckDB database:
// one DuckDB table per catalogue table, read by the query path through DB
// and written in batches through the DuckDB appender.
//
// # Layout
//
// Open keeps the workspace in DIR/workspace.duckdb; OpenMemory keeps it in
// memory. Both create every table of the catalogue that is missing. A table
// that exists with fewer columns than the catalogue now lists gets the
// missing ones added (ALTER TABLE … ADD COLUMN), so a workspace survives a
// catalogue update; a column whose stored type differs from the catalogue's
// is an error.
//
// Each column is named by its schema.Column.Storage name (the KQL name,
// except for the rare case-insensitive collisions the schema package
// describes) and typed by duckdb.SQLType of its KQL type:
//
//	bool BOOLEAN, int INTEGER, long BIGINT, real DOUBLE,
//	decimal DECIMAL(38,18), string VARCHAR NOT NULL DEFAULT '',
//	datetime TIMESTAMP, timespan BIGINT (100 ns ticks), guid UUID,
//	dynamic JSON.
//
// Strings are never NULL in stored rows: Kusto has no null string, so an
// absent string is the empty string, and the column is declared NOT NULL.
// Every other type can be NULL.
//
// # Writing
//
// Append writes a batch of rows in one transaction: either every row is
// stored or none is. A Writer does the same for a stream of rows too large
// to hold in memory (bulk loads, sample data). Rows hold a table's columns
// in catalogue order (schema.Table.Columns, hidden columns included) as Go
// values:
//
//	bool      bool
//	int       int32 (or any Go integer that fits)
//	long      int64 (or any Go integer that fits)
//	real      float64 (float32 and integers are converted)
//	decimal   float64, an integer, or a decimal string
//	string    string
//	datetime  time.Time (the zero time is stored as null)
//	timespan  time.Duration, stored as 100 ns ticks
//	guid      string ("8f1b…", braces and urn:uuid: forms too; "" is
//	          null), [16]byte, uuid.UUID or duckdb.UUID
//	dynamic   json.RawMessage, []byte or string holding JSON text, or
//	          any value encoding/json can marshal
//
// nil stores null (the empty string in a string column). Any other Go type
// is an error naming the table, row, column and type, and nothing is
// stored.
//
// # Storage settings
//
// DuckDB compresses every column on checkpoint, choosing per segment among
// constant, RLE, dictionary, FSST, bit-packing (with delta and
// frame-of-reference modes), ALP and others. A new workspace file is
// created with storage_compatibility_version 'latest': the default,
// v0.10.2, keeps files readable by DuckDB 0.10 and so disables the
// compression methods added since (the combined dictionary+FSST string
// encoding, ZSTD for long strings, …), which costs a log workspace a large
// share of its size. Checkpoint compresses what was written since the last
// checkpoint; call it after a bulk load (Writer.Commit of a large load
// does not do it by itself).
//
// Commits go to the write-ahead log, and DuckDB checkpoints it into the
// file automatically once it reaches checkpoint_threshold. The default,
// 16 MB, makes sustained ingestion checkpoint every few seconds, each time
// rewriting the partly filled row groups it wrote the time before; at
// 256 MB ingestion runs about half again as fast, at the price of a longer
// log replay (seconds) when a workspace is opened after a crash.
package store
