package transform

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// reader returns the function that turns a value scanned from the
// generated SQL's result (whose guid, decimal and dynamic columns are
// text) into the store's Go value for KQL type t: what ingestion writes.
func reader(t types.Type) func(v any) (any, error) {
	switch t {
	case types.Bool:
		return readBool
	case types.Int:
		return readInt
	case types.Long:
		return readLong
	case types.Real:
		return readReal
	case types.Decimal:
		return readDecimal
	case types.String:
		return readString
	case types.DateTime:
		return readDateTime
	case types.TimeSpan:
		return readTimeSpan
	case types.GUID:
		return readGUID
	case types.Dynamic:
		return readDynamic
	}
	return func(any) (any, error) { return nil, nil }
}

func unexpected(v any) error { return fmt.Errorf("unexpected %T from the query", v) }

func readBool(v any) (any, error) {
	switch v.(type) {
	case nil, bool:
		return v, nil
	}
	return nil, unexpected(v)
}

func readInt(v any) (any, error) {
	switch x := v.(type) {
	case nil, int32:
		return v, nil
	case int64:
		if x < math.MinInt32 || x > math.MaxInt32 {
			return nil, fmt.Errorf("%d is out of range for int", x)
		}
		return int32(x), nil
	}
	return nil, unexpected(v)
}

func readLong(v any) (any, error) {
	switch x := v.(type) {
	case nil, int64:
		return v, nil
	case int32:
		return int64(x), nil
	case *big.Int:
		if !x.IsInt64() {
			return nil, fmt.Errorf("%s is out of range for long", x)
		}
		return x.Int64(), nil
	}
	return nil, unexpected(v)
}

func readReal(v any) (any, error) {
	switch x := v.(type) {
	case nil, float64:
		return v, nil
	case float32:
		return float64(x), nil
	case duckdbdriver.Decimal:
		return x.Float64(), nil
	}
	return nil, unexpected(v)
}

// readDecimal keeps the decimal's text: the store parses it exactly.
func readDecimal(v any) (any, error) {
	switch x := v.(type) {
	case nil, string:
		return v, nil
	case duckdbdriver.Decimal:
		return x.String(), nil
	case float64:
		return x, nil
	}
	return nil, unexpected(v)
}

func readString(v any) (any, error) {
	switch v.(type) {
	case string:
		return v, nil
	case nil:
		return "", nil
	}
	return nil, unexpected(v)
}

func readDateTime(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return x.UTC(), nil
	}
	return nil, unexpected(v)
}

// readTimeSpan turns 100 ns ticks into a time.Duration, which holds
// ±292 years where Kusto's timespan holds ±29,000.
func readTimeSpan(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		if x > math.MaxInt64/100 || x < math.MinInt64/100 {
			return nil, fmt.Errorf("timespan of %d ticks is out of range", x)
		}
		return time.Duration(x) * 100, nil
	}
	return nil, unexpected(v)
}

func readGUID(v any) (any, error) {
	switch x := v.(type) {
	case nil, string:
		return v, nil
	case []byte:
		u, err := uuid.FromBytes(x)
		if err != nil {
			return nil, err
		}
		return u.String(), nil
	}
	return nil, unexpected(v)
}

func readDynamic(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return json.RawMessage(x), nil
	case []byte:
		return json.RawMessage(append([]byte(nil), x...)), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("unexpected %T from the query: %w", v, err)
	}
	return json.RawMessage(b), nil
}
